//! A route: method, path, the one permission it needs, and its handler.
//! Every module lists its own; `crate::routes::table` gathers them.

use super::state::AppState;
use axum::http::Method;
use axum::routing::MethodRouter;
use baken_domain::Permission;

pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub permission: Permission,
    pub handler: MethodRouter<AppState>,
}

/// Declares a route (the one helper every module's list uses).
pub fn route(
    method: Method,
    path: &'static str,
    permission: Permission,
    handler: MethodRouter<AppState>,
) -> Route {
    Route {
        method,
        path,
        permission,
        handler,
    }
}

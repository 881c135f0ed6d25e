//! Pages and API for the casework module. Routes are declared in [`routes`] and
//! joined into the one route table (`crate::routes::table`).

use crate::routes::Route;

/// This module's routes, each with its permission.
pub fn routes() -> Vec<Route> {
    Vec::new()
}

/// Registers this module's templates.
pub fn templates(_env: &mut minijinja::Environment<'static>) {}

//! Rendering a page inside the base layout, and the Dutch error page.

use super::ctx::Ctx;
use super::error::{AppError, Failure};
use super::state::AppState;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use baken_domain::Role;
use minijinja::{context, Value};
use serde::Serialize;

pub type PageResult = Result<Response, Failure>;

#[derive(Serialize)]
struct NavItem {
    href: &'static str,
    label: &'static str,
    current: bool,
}

fn nav_for(state: &AppState, role: Role, path: &str) -> Vec<NavItem> {
    (state.nav)(role)
        .into_iter()
        .map(|(href, label)| NavItem {
            href,
            label,
            current: path == href,
        })
        .collect()
}

/// Renders a page inside the base layout.
pub(crate) fn render(
    state: &AppState,
    ctx: &Ctx,
    template: &str,
    title: &str,
    extra: Value,
) -> Result<Html<String>, AppError> {
    let (user, nav) = match &ctx.user {
        // Half logged in (the second factor is still to come): no menu yet.
        Some(u) if u.second_factor_pending => (Value::from(()), Vec::new()),
        Some(u) => (
            Value::from_serialize(context! {
                username => u.user.username,
                display_name => u.user.display_name,
                role => u.user.role.as_str(),
                role_label => u.user.role.label(),
                unread => u.unread_notifications,
            }),
            nav_for(state, u.user.role, &ctx.path),
        ),
        None => (Value::from(()), Vec::new()),
    };
    let tmpl = state.templates.get_template(template)?;
    let html = tmpl.render(context! {
        title => title,
        user => user,
        nav => nav,
        csrf => ctx.csrf_token(),
        demo => state.config.demo,
        municipality => state.config.municipality,
        oidc_label => state.config.oidc.as_ref().map(|o| o.label.clone()),
        path => ctx.path,
        ..extra
    })?;
    Ok(Html(html))
}

pub(crate) fn render_error_page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    message: &str,
) -> Result<Response, AppError> {
    let (heading, text) = match status.as_u16() {
        400 => ("Dat ging niet goed", "Wij konden uw verzoek niet verwerken."),
        403 => ("Geen toegang", "U hebt geen toegang tot deze pagina. Denkt u dat dit niet klopt? Vraag het de beheerder. Deze poging is vastgelegd."),
        404 => ("Pagina niet gevonden", "Deze pagina bestaat niet, of u mag haar niet zien. Controleer het adres."),
        405 => ("Dit kan hier niet", "Deze pagina kan niet op deze manier worden gebruikt. Ga terug en gebruik de knoppen en links op de pagina."),
        409 => ("Iemand anders was u voor", "De gegevens zijn intussen door iemand anders gewijzigd."),
        503 => ("Het is even te druk", "Baken krijgt op dit moment te veel verzoeken tegelijk. Wacht een paar seconden en probeer het dan opnieuw."),
        _ => ("Er ging iets mis", "Er ging aan onze kant iets mis. Probeer het later nog eens. Wij hebben de fout vastgelegd."),
    };
    let page = render(
        state,
        ctx,
        "error.html",
        heading,
        Value::from_serialize(context! {
            heading => heading, text => text, message => message,
        }),
    )?;
    Ok((status, page).into_response())
}

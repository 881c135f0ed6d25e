//! `/account`: one's own account and changing the password.

use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::FieldErrors;
use crate::support::password::{
    hash_password_async, password_problem, refused_passwords, verify_password_async,
};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::{AuditAction, AuditOutcome, Password, PasswordContext};
use baken_store::{areas, audit, users};
use minijinja::{context, Value};
use serde::Deserialize;

/// The query of `/account`: `?gewijzigd=1` after the password was changed.
#[derive(Deserialize, Default)]
pub struct AccountQuery {
    #[serde(default)]
    gewijzigd: Option<String>,
}

pub async fn account(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AccountQuery>,
) -> PageResult {
    let user = ctx.user()?.user.clone();
    let mut tx = state.db.read().await?;
    let team = match user.team_id {
        Some(t) => areas::team(&mut tx, t).await?.map(|t| t.name),
        None => None,
    };
    drop(tx);
    Ok(render(
        &state,
        &ctx,
        "foundation/account.html",
        "Mijn account",
        Value::from_serialize(context! {
            team => team, errors => FieldErrors::new(), saved => q.gewijzigd.is_some(),
            temporary => user.password_temporary,
        }),
    )?
    .into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    huidig: String,
    #[serde(default)]
    nieuw: String,
    #[serde(default)]
    herhaal: String,
}

/// What checking the password form needs besides the form: whether the
/// current password was typed correctly (verified against the stored hash
/// outside any transaction), and whether it is a temporary one.
struct PasswordCheck<'a> {
    current_verified: bool,
    temporary: bool,
    /// The account's words and the refused passwords.
    context: PasswordContext<'a>,
}

impl PasswordForm {
    /// The new password, once every field is right; otherwise a message per field.
    fn parse(&self, check: PasswordCheck<'_>) -> Result<Password, FieldErrors> {
        let mut errors = FieldErrors::new();
        if !check.current_verified {
            errors.add("huidig", "Uw huidige wachtwoord klopt niet.");
        }
        // Before the length rule: of the two, this is the message that counts.
        if check.temporary && !self.nieuw.is_empty() && self.nieuw == self.huidig {
            errors.add(
                "nieuw",
                "Kies een ander wachtwoord dan het tijdelijke van de beheerder.",
            );
        }
        let new = Password::parse(&self.nieuw, &check.context);
        if let Err(e) = &new {
            errors.add("nieuw", password_problem(e));
        }
        if self.nieuw != self.herhaal {
            errors.add("herhaal", "De twee nieuwe wachtwoorden zijn niet gelijk.");
        }
        match new {
            Ok(new) => errors.or_ok(new),
            Err(_) => Err(errors),
        }
    }
}

pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    let current = ctx.user()?.clone();
    // Hashing and verifying happen outside any write transaction (see login).
    let mut tx = state.db.read().await?;
    let stored = users::password_hash(&mut tx, current.user.id).await?;
    drop(tx);
    let check = PasswordCheck {
        current_verified: verify_password_async(form.huidig.clone(), stored.clone())
            .await
            .map_err(AppError::from)?,
        temporary: current.user.password_temporary,
        context: PasswordContext {
            user_inputs: &[&current.user.username, &current.user.display_name],
            refused: refused_passwords(state.config.demo),
        },
    };
    let new = match form.parse(check) {
        Ok(new) => new,
        Err(errors) => {
            let page = render(
                &state,
                &ctx,
                "foundation/account.html",
                "Mijn account",
                Value::from_serialize(context! {
                    team => Option::<String>::None, errors => errors, saved => false,
                    temporary => current.user.password_temporary,
                }),
            )?;
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    let hash = hash_password_async(new.expose().to_owned())
        .await
        .map_err(AppError::from)?;
    let mut tx = state.db.begin().await?;
    if users::password_hash(&mut tx, current.user.id).await? != stored {
        return Err(AppError::Conflict(
            "Uw wachtwoord is intussen op een andere plek gewijzigd. Er is niets opgeslagen. Log opnieuw in.".into(),
        )
        .into());
    }
    users::set_password(&mut tx, current.user.id, &hash).await?;
    users::delete_other_sessions(&mut tx, current.user.id, current.session_secret.as_deref())
        .await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("user", current.user.id.to_string())),
            "wachtwoord gewijzigd",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/account?gewijzigd=1").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(current: &str, new: &str, again: &str) -> PasswordForm {
        PasswordForm {
            huidig: current.into(),
            nieuw: new.into(),
            herhaal: again.into(),
        }
    }

    #[test]
    fn typing_the_temporary_password_again_is_refused_with_its_own_message() {
        let check = PasswordCheck {
            current_verified: true,
            temporary: true,
            context: PasswordContext::default(),
        };
        // Too short as well: the message about the temporary password is shown.
        let Err(errors) = form("kort", "kort", "kort").parse(check) else {
            panic!("the temporary password may not be kept");
        };
        assert_eq!(
            errors.get("nieuw"),
            Some("Kies een ander wachtwoord dan het tijdelijke van de beheerder.")
        );
    }

    #[test]
    fn a_wrong_current_password_and_a_mismatch_are_named_together() {
        let check = PasswordCheck {
            current_verified: false,
            temporary: false,
            context: PasswordContext::default(),
        };
        let Err(errors) = form("fout", "een heel goed wachtwoord", "iets anders").parse(check)
        else {
            panic!("refused");
        };
        assert_eq!(
            errors.get("huidig"),
            Some("Uw huidige wachtwoord klopt niet.")
        );
        assert!(errors.get("herhaal").is_some());
        assert!(errors.get("nieuw").is_none());
    }
}

//! The user form of `/beheer/gebruikers`, parsed: the fields as sent, what
//! they are checked against, and the account they describe.

use crate::support::error::AppError;
use crate::support::form::FieldErrors;
use crate::support::password::{password_problem, refused_passwords};
use crate::support::state::AppState;
use baken_domain::{Link, LinkError, Password, PasswordContext, Role, Username};
use baken_store::{areas, users};
use serde::{Deserialize, Serialize};

/// The user form as the page sends it (new and edit share it: the edit page
/// has no username or password, the new page no version or `actief`).
#[derive(Serialize, Deserialize, Default, Clone)]
pub struct UserForm {
    #[serde(default, rename = "gebruikersnaam")]
    pub(super) username: String,
    #[serde(default, rename = "naam")]
    display_name: String,
    #[serde(default, rename = "rol")]
    role: String,
    #[serde(default)]
    team: String,
    #[serde(default, rename = "huishouden")]
    household: String,
    #[serde(default, rename = "organisatie")]
    provider: String,
    #[serde(default, rename = "wachtwoord", skip_serializing)]
    password: String,
    #[serde(default, rename = "actief")]
    active_box: String,
    #[serde(default, rename = "versie")]
    pub(super) version_field: String,
}

/// The form's values as the page shows them again.
#[derive(Serialize)]
pub(super) struct FormView {
    pub(super) username: String,
    pub(super) display_name: String,
    pub(super) role: String,
    pub(super) team: String,
    pub(super) household: String,
    pub(super) provider: String,
    pub(super) active: bool,
    pub(super) version: String,
}

/// An account as the form describes it, every field checked: its name, its
/// role and what it is linked to.
pub(super) struct Account {
    pub(super) name: String,
    pub(super) role: Role,
    pub(super) team: Option<i64>,
    pub(super) household: Option<i64>,
    pub(super) provider: Option<i64>,
}

impl Account {
    /// "rol generalist, team 3": the audit detail of the role and links.
    pub(super) fn link_detail(&self) -> String {
        let mut d = format!("rol {}", self.role);
        if let Some(t) = self.team {
            d.push_str(&format!(", team {t}"));
        }
        if let Some(h) = self.household {
            d.push_str(&format!(", huishouden {h}"));
        }
        if let Some(p) = self.provider {
            d.push_str(&format!(", organisatie {p}"));
        }
        d
    }
}

/// A new account: the account, its username and its first password.
pub(super) struct NewAccount {
    pub(super) username: Username,
    pub(super) password: Password,
    pub(super) account: Account,
}

/// A changed account: the account and whether it stays active.
pub(super) struct AccountChange {
    pub(super) account: Account,
    pub(super) active: bool,
}

/// What the form's links are checked against, as it is now: the teams, the
/// household whose number was typed (if it exists) and the organisations.
pub(super) struct LinkTargets {
    teams: Vec<areas::Team>,
    household: Option<i64>,
    providers: Vec<areas::Provider>,
    /// Passwords refused on this server (the demo's, outside the demo).
    refused_passwords: &'static [&'static str],
}

/// A household number as typed: digits, at least 1.
fn household_number(typed: &str) -> Option<i64> {
    typed.trim().parse::<i64>().ok().filter(|n| *n >= 1)
}

impl LinkTargets {
    pub(super) async fn load(state: &AppState, form: &UserForm) -> Result<LinkTargets, AppError> {
        let mut tx = state.db.read().await?;
        let teams = areas::teams(&mut tx).await?;
        let household = match household_number(&form.household) {
            Some(id) if areas::household_exists(&mut tx, id).await? => Some(id),
            _ => None,
        };
        let providers = areas::providers(&mut tx).await?;
        drop(tx);
        Ok(LinkTargets {
            teams,
            household,
            providers,
            refused_passwords: refused_passwords(state.config.demo),
        })
    }
}

/// The Dutch message for an account whose links do not fit its role.
fn link_message(e: LinkError) -> (&'static str, String) {
    match e {
        LinkError::Missing {
            role,
            link: Link::Team,
        } => (
            "team",
            format!(
                "Een {} hoort bij een team. Kies een team.",
                role.label().to_lowercase()
            ),
        ),
        LinkError::Missing {
            link: Link::Household,
            ..
        } => (
            "huishouden",
            "Een inwoner hoort bij een huishouden. Vul het huishoudnummer in.".into(),
        ),
        LinkError::Missing {
            link: Link::Provider,
            ..
        } => (
            "organisatie",
            "Een aanbieder hoort bij een organisatie. Kies een organisatie.".into(),
        ),
        LinkError::NotUsed {
            role,
            link: Link::Team,
        } => (
            "team",
            format!(
                "Een {} hoort niet bij een team. Kies ‘Geen team’.",
                role.label().to_lowercase()
            ),
        ),
        LinkError::NotUsed {
            link: Link::Household,
            ..
        } => (
            "huishouden",
            "Alleen een inwoner hoort bij een huishouden. Laat dit veld leeg.".into(),
        ),
        LinkError::NotUsed {
            link: Link::Provider,
            ..
        } => (
            "organisatie",
            "Alleen een aanbieder hoort bij een organisatie. Kies ‘Geen organisatie’.".into(),
        ),
    }
}

impl UserForm {
    /// A new account, once every field is right; otherwise a message per field.
    pub(super) fn parse_new(&self, targets: &LinkTargets) -> Result<NewAccount, FieldErrors> {
        let mut errors = FieldErrors::new();
        let username = Username::parse(&self.username)
            .map_err(|_| errors.add("gebruikersnaam", "Gebruik 3 tot 64 tekens: kleine letters, cijfers, punt, streepje of liggend streepje."))
            .ok();
        let account = self.account(targets, None, &mut errors);
        let password = Password::parse(
            &self.password,
            &PasswordContext {
                user_inputs: &[self.username.trim(), self.display_name.trim()],
                refused: targets.refused_passwords,
            },
        )
        .map_err(|e| errors.add("wachtwoord", password_problem(&e)))
        .ok();
        match (username, password, account) {
            (Some(username), Some(password), Some(account)) => errors.or_ok(NewAccount {
                username,
                password,
                account,
            }),
            _ => Err(errors),
        }
    }

    /// The change to `current`, once every field is right. A beheerder editing
    /// their `own` account may not disable it or give up the beheer role.
    pub(super) fn parse_change(
        &self,
        targets: &LinkTargets,
        current: &users::User,
        own: bool,
    ) -> Result<AccountChange, FieldErrors> {
        let mut errors = FieldErrors::new();
        let active = self.active();
        let account = self.account(targets, Some(current), &mut errors);
        if own && (!active || account.as_ref().map(|a| a.role) != Some(Role::Beheerder)) {
            errors.add("_form", "U kunt uw eigen account niet uitschakelen of uw eigen beheerrol afnemen. Vraag een andere beheerder.");
        }
        match account {
            Some(account) => errors.or_ok(AccountChange { account, active }),
            None => Err(errors),
        }
    }

    /// Name, role, team, household and organisation, checked together; every
    /// problem goes into `errors`. `current` is the account being edited (it may
    /// keep a team that has since been deactivated). `None` when the role is wrong.
    fn account(
        &self,
        targets: &LinkTargets,
        current: Option<&users::User>,
        errors: &mut FieldErrors,
    ) -> Option<Account> {
        let name = self.display_name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 120 {
            errors.add("naam", "Vul een naam in (hoogstens 120 tekens).");
        }
        let role = Role::parse(&self.role)
            .map_err(|_| errors.add("rol", "Kies een rol uit de lijst."))
            .ok();
        let team = match self.team.trim() {
            "" => None,
            typed => match typed.parse::<i64>() {
                Ok(id) => match targets.teams.iter().find(|t| t.id == id) {
                    None => {
                        errors.add(
                            "team",
                            "Dit team bestaat niet (meer). Kies een team uit de lijst.",
                        );
                        None
                    }
                    Some(team) if !team.active && current.and_then(|u| u.team_id) != Some(id) => {
                        errors.add("team", "Dit team is opgeheven. Kies een ander team.");
                        None
                    }
                    Some(_) => Some(id),
                },
                Err(_) => {
                    errors.add("team", "Kies een team uit de lijst.");
                    None
                }
            },
        };
        let household = match self.household.trim() {
            "" => None,
            typed => match household_number(typed) {
                Some(id) if targets.household == Some(id) => Some(id),
                Some(id) => {
                    errors.add(
                        "huishouden",
                        format!("Er is geen huishouden met nummer {id}. Controleer het nummer."),
                    );
                    None
                }
                None => {
                    errors.add(
                        "huishouden",
                        "Vul het nummer van het huishouden in, alleen cijfers (bijvoorbeeld 1234).",
                    );
                    None
                }
            },
        };
        let provider = match self.provider.trim() {
            "" => None,
            typed => match typed
                .parse::<i64>()
                .ok()
                .filter(|id| targets.providers.iter().any(|p| p.id == *id))
            {
                Some(id) => Some(id),
                None => {
                    errors.add("organisatie", "Kies een organisatie uit de lijst.");
                    None
                }
            },
        };
        let role = role?;
        // A link that is wrong already has its message; only the missing or
        // superfluous links are added.
        let given = |typed: &str| !typed.trim().is_empty();
        for e in role.check_links(
            given(&self.team),
            given(&self.household),
            given(&self.provider),
        ) {
            let (field, message) = link_message(e);
            errors.add(field, message);
        }
        Some(Account {
            name,
            role,
            team,
            household,
            provider,
        })
    }

    /// The form as typed, to show it again (`active` as the page should tick it).
    pub(super) fn view(&self, active: bool) -> FormView {
        FormView {
            username: self.username.trim().to_owned(),
            display_name: self.display_name.clone(),
            role: self.role.clone(),
            team: self.team.trim().to_owned(),
            household: self.household.trim().to_owned(),
            provider: self.provider.trim().to_owned(),
            active,
            version: self.version_field.clone(),
        }
    }

    /// Whether the form ticks `actief`.
    pub(super) fn active(&self) -> bool {
        self.active_box == "ja"
    }
}

/// The form that sets a temporary password.
#[derive(Deserialize)]
pub struct TemporaryPasswordForm {
    #[serde(default)]
    tijdelijk_wachtwoord: String,
}

impl TemporaryPasswordForm {
    /// The temporary password, or the Dutch message shown above the form.
    pub(super) fn parse(&self, refused: &[&str]) -> Result<Password, String> {
        Password::parse(
            &self.tijdelijk_wachtwoord,
            &PasswordContext {
                user_inputs: &[],
                refused,
            },
        )
        .map_err(|e| password_problem(&e))
    }
}

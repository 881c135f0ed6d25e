//! `/start`: the start page for each role.

use crate::support::back::{safe_back, DEFAULT_BACK};
use crate::support::ctx::Ctx;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use baken_domain::Role;
use baken_store::areas;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Card {
    href: &'static str,
    title: &'static str,
    text: &'static str,
}

#[derive(Serialize)]
struct Fact {
    label: &'static str,
    value: String,
}

/// `?verder=`: where the login was headed when it came here first to tell the
/// account holder about wrong passwords.
#[derive(Deserialize, Default)]
pub struct StartQuery {
    verder: Option<String>,
}

pub async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<StartQuery>,
) -> PageResult {
    let current = ctx.user()?;
    let failed_logins = current.failed_logins_before;
    let user = current.user.clone();
    let onward = query
        .verder
        .as_deref()
        .map(|v| safe_back(Some(v)))
        .filter(|v| v != DEFAULT_BACK);
    let mut tx = state.db.read().await?;
    let team = match user.team_id {
        Some(t) => areas::team(&mut tx, t).await?.map(|t| t.name),
        None => None,
    };
    let provider = match user.provider_id {
        Some(p) => areas::providers(&mut tx)
            .await?
            .into_iter()
            .find(|x| x.id == p)
            .map(|p| p.name),
        None => None,
    };
    drop(tx);
    let mut facts = vec![Fact {
        label: "Rol",
        value: user.role.label().to_owned(),
    }];
    if let Some(t) = team {
        facts.push(Fact {
            label: "Team",
            value: t,
        });
    }
    if let Some(p) = provider {
        facts.push(Fact {
            label: "Organisatie",
            value: p,
        });
    }
    let intro = intro(user.role);
    let cards: Vec<Card> = (state.start_cards)(user.role)
        .into_iter()
        .map(|(href, title, text)| Card { href, title, text })
        .collect();
    Ok(render(
        &state,
        &ctx,
        "foundation/start.html",
        "Start",
        Value::from_serialize(context! {
            intro => intro, cards => cards, facts => facts,
            failed_logins => failed_logins, onward => onward,
        }),
    )?
    .into_response())
}

/// What the start page says to a role.
fn intro(role: Role) -> &'static str {
    match role {
        Role::Inwoner => "Hier ziet u de gegevens van uw huishouden, en wie ze heeft ingezien.",
        Role::Generalist => "U werkt in het wijkteam: één huishouden, één plan, één contactpersoon.",
        Role::Teamleider => "U houdt overzicht over het team en beslist over verwijzingen naar specialistische zorg.",
        Role::Beleid => "U ziet totalen en trends, nooit personen.",
        Role::Beheerder => "U beheert gebruikers, teams, de wijkindeling en de aanbieders, en houdt toezicht op het auditlog.",
        Role::Vrijwilliger => "Fijn dat u zich inzet voor anderen in de buurt. Op de buurtmarktplaats ziet u wie hulp vraagt en wat u kunt aanbieden.",
        Role::Makelaar => "U helpt inwoners die zelf niet online kunnen of willen: u schrijft hen in, zet spoedvragen binnen de norm uit en houdt de buurtmarktplaats veilig.",
        Role::Aanbieder => "U werkt voor een aanbieder in het sociaal domein. Hier houdt u het aanbod van uw organisatie op de sociale kaart bij en ziet u de huishoudens waarvoor u werkt.",
    }
}

/// The foundation's start-page cards for a role (link, title, text).
pub fn cards(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::Inwoner => vec![
            ("/mijn-huishouden", "Mijn huishouden", "Uw adres en wie er bij u wonen, zoals de gemeente dat kent."),
            ("/mijn-huishouden/inzage", "Wie heeft mijn gegevens ingezien", "Elke keer dat een medewerker uw gegevens bekeek: wie en wanneer."),
        ],
        Role::Generalist => vec![
            ("/huishoudens", "Huishoudens van mijn team", "Zoek een huishouden op postcode of wijk en bekijk wie er wonen."),
        ],
        Role::Teamleider => vec![
            ("/huishoudens", "Huishoudens van het team", "De huishoudens waar uw team voor werkt."),
            ("/cijfers", "Cijfers", "Totalen per wijk, zonder personen."),
        ],
        Role::Beleid => vec![
            ("/cijfers", "Cijfers per wijk", "Huishoudens en inwoners per wijk, beschermd tegen herkenning."),
            ("/monitor", "Stapelingsmonitor", "Gepseudonimiseerde bestanden van organisaties koppelen en beschermde tabellen maken."),
        ],
        Role::Beheerder => vec![
            ("/beheer/gebruikers", "Gebruikers", "Accounts aanmaken, rollen en teams toewijzen, accounts uitschakelen."),
            ("/beheer/teams", "Teams", "Wijkteams en hun wijken."),
            ("/beheer/wijken", "Wijken en buurten", "De CBS-indeling van de gemeente."),
            ("/beheer/aanbieders", "Aanbieders", "Organisaties met aanbod of afspraken: toevoegen en wijzigen."),
            ("/beheer/audit", "Auditlog", "Wie zag of wijzigde welke gegevens, en geweigerde toegang."),
        ],
        Role::Vrijwilliger => vec![],
        Role::Makelaar => vec![],
        Role::Aanbieder => vec![],
    }
}

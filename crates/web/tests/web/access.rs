//! The access matrix: every route × every role (and anonymous), compared with
//! the matrix declared here — independently of the route table, so a change to
//! either one shows up as a failure.
//!
//! For each route the matrix says who may use it *and what they then get*: the
//! Dutch page (by its heading), a redirect, JSON, or the refusal of the empty
//! form the walk sends. A 500, a 422 or the wrong page fails the test just as a
//! wrongly refused role does. Paths use ids that exist in the demo and lie in the
//! scope of the demo accounts (household 1 is the resident's and belongs to
//! Wijkteam Centrum, the team of `generalist` and `teamleider`).
//!
//! Every refusal must be audited: 403 with the user, and an anonymous request for
//! a protected route with outcome `unauthenticated` and no user.

use crate::helpers::last_audit_row;
use baken_domain::Role;
use baken_store::with_conn;
use baken_web::routes;
use baken_web::testing::{apps, As, TestApp, TestResponse};
use std::net::IpAddr;

/// What an allowed user gets.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// 200, a Dutch HTML page (`lang="nl"`) whose `<h1>` starts with this.
    Page(&'static str),
    /// 303 to a location starting with this.
    Redirect(&'static str),
    /// 200 with a JSON body.
    Json,
    /// 200 with the stylesheet.
    Css,
    /// 200, a CSV download for Dutch Excel (UTF-8 with BOM, `;`).
    Csv,
    /// 400, a Dutch HTML page with this heading that says this text: the walk's
    /// empty form is refused, and nothing is saved.
    Refused(&'static str, &'static str),
    /// 404: the Dutch "not found" page, or problem+json on the API.
    NotFound,
    /// A problem+json with this status and a `detail` containing the text.
    Problem(u16, &'static str),
}

use Expect::*;

struct Entry {
    method: &'static str,
    path: &'static str,
    allowed: &'static [&'static str],
    expect: Expect,
}

const fn e(
    method: &'static str,
    path: &'static str,
    allowed: &'static [&'static str],
    expect: Expect,
) -> Entry {
    Entry {
        method,
        path,
        allowed,
        expect,
    }
}

/// `PUBLIC` = anyone, `LOGGED_IN` = every role.
const PUBLIC: &[&str] = &["*public*"];
const LOGGED_IN: &[&str] = &[
    "inwoner",
    "vrijwilliger",
    "makelaar",
    "generalist",
    "teamleider",
    "aanbieder",
    "beleid",
    "beheerder",
];
const CASEWORKERS: &[&str] = &["generalist", "teamleider"];
const RESIDENT: &[&str] = &["inwoner"];
const MARKET: &[&str] = &["inwoner", "vrijwilliger", "makelaar"];
const BROKER: &[&str] = &["makelaar"];
const MARKET_FIGURES: &[&str] = &["makelaar", "beleid"];
const ADMIN: &[&str] = &["beheerder"];
const PARTNERS: &[&str] = &[
    "vrijwilliger",
    "makelaar",
    "generalist",
    "teamleider",
    "aanbieder",
];
const MAP_KEEPERS: &[&str] = &["aanbieder", "beheerder"];
const PROVIDER: &[&str] = &["aanbieder"];
const BELEID: &[&str] = &["beleid"];

const NO_VERSION: Expect = Refused("Dat ging niet goed", "mist de versie van de gegevens");
const NO_PLAN_VERSION: Expect = Refused("Dat ging niet goed", "mist de versie van het plan");
const BAD_JSON: Expect = Problem(400, "not valid JSON");

const VOLUNTEER: &[&str] = &["vrijwilliger"];
const CARERS: &[&str] = &["inwoner", "vrijwilliger"];
const VACANCY_KEEPERS: &[&str] = &["aanbieder", "makelaar"];

const MATRIX: &[Entry] = &[
    // Volunteer work (volunteers/): the volunteer's own page, vacancies for
    // providers and the ServicePunt consultant, and placements. Mantelzorg
    // (carers/): the carer's own page, the mantelzorgconsulent, and a
    // generalist registering a carer from a household's network.
    e(
        "GET",
        "/vrijwilligerswerk",
        VOLUNTEER,
        Page("Vrijwilligerswerk"),
    ),
    e(
        "POST",
        "/vrijwilligerswerk/profiel",
        VOLUNTEER,
        Refused("Vrijwilligerswerk", "Vul uw naam in"),
    ),
    e(
        "POST",
        "/vrijwilligerswerk/vacatures/{id}/aanmelden",
        VOLUNTEER,
        NotFound,
    ),
    e(
        "POST",
        "/vrijwilligerswerk/aanmeldingen/{id}/intrekken",
        VOLUNTEER,
        NotFound,
    ),
    e(
        "GET",
        "/vacatures",
        VACANCY_KEEPERS,
        Page("Vacatures voor vrijwilligers"),
    ),
    e(
        "POST",
        "/vacatures",
        VACANCY_KEEPERS,
        Refused("Vacatures voor vrijwilligers", "Geef de vacature een titel"),
    ),
    e(
        "POST",
        "/vacatures/{id}/open",
        VACANCY_KEEPERS,
        Refused("Vacatures voor vrijwilligers", "Kies of de vacature open"),
    ),
    e(
        "GET",
        "/servicepunt",
        BROKER,
        Page("ServicePunt Vrijwilligers"),
    ),
    e(
        "POST",
        "/servicepunt/aanmeldingen/{id}",
        BROKER,
        Refused(
            "ServicePunt Vrijwilligers",
            "Kies: plaatsen of niet plaatsen",
        ),
    ),
    e("GET", "/mantelzorg", CARERS, Page("Mantelzorg")),
    e(
        "POST",
        "/mantelzorg/aanmelden",
        CARERS,
        Refused("Mantelzorg", "Vul de naam in"),
    ),
    e(
        "POST",
        "/mantelzorg/belasting",
        CARERS,
        Refused("Mantelzorg", "Kies bij uitspraak 1"),
    ),
    e(
        "POST",
        "/mantelzorg/signaal",
        CARERS,
        Refused("Mantelzorg", "Dit kan alleen na een belastingmeter"),
    ),
    e(
        "POST",
        "/mantelzorg/waardering",
        CARERS,
        Refused("Mantelzorg", "Kies wat u als waardering wilt"),
    ),
    e("GET", "/mantelzorgconsulent", BROKER, Page("Mantelzorgers")),
    e(
        "GET",
        "/beheer/mantelzorg",
        ADMIN,
        Page("Mantelzorgwaardering instellen"),
    ),
    e(
        "POST",
        "/beheer/mantelzorg",
        ADMIN,
        Refused("Dat ging niet goed", "mist de versie"),
    ),
    e(
        "POST",
        "/mantelzorgconsulent/waardering/{id}",
        BROKER,
        NotFound,
    ),
    e(
        "GET",
        "/huishoudens/{id}/mantelzorgers",
        CASEWORKERS,
        Page("Mantelzorgers uit het netwerk"),
    ),
    e(
        "POST",
        "/huishoudens/{id}/mantelzorgers",
        CASEWORKERS,
        Refused("Mantelzorgers uit het netwerk", "Vul de naam in"),
    ),
    // The buurtmarktplaats (market/): a public sign-up, the marketplace for
    // residents, volunteers and makelaars, the makelaar's work, the protected
    // figures for beleid and makelaars, and beheer. Ids in the walk do not
    // exist, so the id routes answer "not found" for everyone allowed.
    e(
        "GET",
        "/buurtmarktplaats/aanmelden",
        PUBLIC,
        Page("Meedoen met de buurtmarktplaats"),
    ),
    e(
        "POST",
        "/buurtmarktplaats/aanmelden",
        PUBLIC,
        Refused("Meedoen met de buurtmarktplaats", "Vul een e-mailadres in"),
    ),
    e(
        "GET",
        "/buurtmarktplaats/bevestigen",
        PUBLIC,
        Refused("E-mailadres bevestigen", "Deze link werkt niet"),
    ),
    e("GET", "/buurtmarktplaats", MARKET, Page("Buurtmarktplaats")),
    e(
        "POST",
        "/buurtmarktplaats/meedoen",
        MARKET,
        Refused("Buurtmarktplaats", "Vul de naam in die anderen zien"),
    ),
    e(
        "GET",
        "/buurtmarktplaats/nieuw",
        MARKET,
        Page("Vraag of aanbod plaatsen"),
    ),
    e(
        "POST",
        "/buurtmarktplaats/nieuw",
        MARKET,
        Redirect("/buurtmarktplaats"),
    ),
    e(
        "GET",
        "/buurtmarktplaats/cijfers",
        MARKET_FIGURES,
        Page("Cijfers buurtmarktplaats"),
    ),
    e("GET", "/buurtmarktplaats/{id}", MARKET, NotFound),
    e("POST", "/buurtmarktplaats/{id}/reageren", MARKET, NotFound),
    e("POST", "/buurtmarktplaats/{id}/sluiten", MARKET, NotFound),
    e("POST", "/buurtmarktplaats/{id}/melden", MARKET, NotFound),
    e("GET", "/buurtmarktplaats/koppeling/{id}", MARKET, NotFound),
    e("POST", "/buurtmarktplaats/koppeling/{id}", MARKET, NotFound),
    e(
        "POST",
        "/buurtmarktplaats/koppeling/{id}/melden",
        MARKET,
        NotFound,
    ),
    // The marketplace API (market/api.rs), for participating accounts. Id 1
    // is a demo listing; no demo account owns one, so suggestions are 404.
    e("GET", "/api/v1/market/categories", MARKET, Json),
    e("GET", "/api/v1/market/listings", MARKET, Json),
    e("POST", "/api/v1/market/listings", MARKET, BAD_JSON),
    e("GET", "/api/v1/market/listings/{id}", MARKET, Json),
    e(
        "GET",
        "/api/v1/market/listings/{id}/suggestions",
        MARKET,
        NotFound,
    ),
    e("GET", "/makelaar/vragen/{id}/wijkteam", BROKER, NotFound),
    e("POST", "/makelaar/vragen/{id}/wijkteam", BROKER, NotFound),
    e(
        "GET",
        "/dossier/{id}/buurtmarktplaats",
        CASEWORKERS,
        Page("Buurtmarktplaats voor dit huishouden"),
    ),
    e(
        "POST",
        "/dossier/{id}/buurtmarktplaats/wijzen",
        CASEWORKERS,
        Refused(
            "Buurtmarktplaats voor dit huishouden",
            "Kies een vraag of aanbod",
        ),
    ),
    e(
        "POST",
        "/dossier/{id}/buurtmarktplaats/afspraak",
        CASEWORKERS,
        Refused(
            "Buurtmarktplaats voor dit huishouden",
            "Kies een lopende afspraak",
        ),
    ),
    e("GET", "/makelaar", BROKER, Page("Makelaar")),
    e(
        "POST",
        "/makelaar/deelnemers",
        BROKER,
        Refused("Makelaar", "Vul een naam in"),
    ),
    e("GET", "/makelaar/deelnemers/{id}", BROKER, NotFound),
    e(
        "GET",
        "/makelaar/deelnemers/{id}/plaatsen",
        BROKER,
        NotFound,
    ),
    e(
        "POST",
        "/makelaar/deelnemers/{id}/plaatsen",
        BROKER,
        NotFound,
    ),
    e(
        "POST",
        "/makelaar/voorstellen",
        BROKER,
        Refused("Dat ging niet goed", "Kies een vraag of aanbod"),
    ),
    e("GET", "/makelaar/koppeling/{id}", BROKER, NotFound),
    e("POST", "/makelaar/koppeling/{id}", BROKER, NotFound),
    e("POST", "/makelaar/koppeling/{id}/melden", BROKER, NotFound),
    e(
        "POST",
        "/makelaar/meldingen/{id}",
        BROKER,
        Refused("Makelaar", "Kies wat u met de melding doet"),
    ),
    e(
        "GET",
        "/beheer/buurtmarktplaats",
        ADMIN,
        Page("Buurtmarktplaats beheren"),
    ),
    e(
        "POST",
        "/beheer/buurtmarktplaats/soorten",
        ADMIN,
        Refused("Buurtmarktplaats beheren", "Vul een naam in"),
    ),
    e(
        "POST",
        "/beheer/buurtmarktplaats/soorten/{id}",
        ADMIN,
        Refused("Buurtmarktplaats beheren", "Vul een naam in"),
    ),
    e(
        "POST",
        "/beheer/buurtmarktplaats/instellingen",
        ADMIN,
        Refused("Buurtmarktplaats beheren", "werkdagen in"),
    ),
    // Commissioning (contracting/): beheer by the beheerder, a provider's own
    // contracts and the iWmo API by the aanbieder, the choice and the
    // verzoeken by the team.
    e("GET", "/beheer/inkoop", ADMIN, Page("Inkoop")),
    e(
        "GET",
        "/beheer/inkoop/producten/nieuw",
        ADMIN,
        Page("Nieuw product"),
    ),
    e(
        "POST",
        "/beheer/inkoop/producten",
        ADMIN,
        Refused("Nieuw product", "Kies een productcategorie (WMO020)."),
    ),
    e(
        "GET",
        "/beheer/inkoop/producten/{id}",
        ADMIN,
        Page("Product wijzigen"),
    ),
    e("POST", "/beheer/inkoop/producten/{id}", ADMIN, NO_VERSION),
    e(
        "POST",
        "/beheer/inkoop/tarieven",
        ADMIN,
        Refused("Inkoop", "Kies een contract en een product."),
    ),
    e(
        "POST",
        "/beheer/inkoop/licenties/{id}",
        ADMIN,
        Refused("Inkoop", "Kies: verlenen of afwijzen."),
    ),
    // The demo's evidence is statements only: no document to download.
    e(
        "GET",
        "/beheer/inkoop/licenties/{id}/bewijs/{requirement}",
        ADMIN,
        NotFound,
    ),
    e(
        "POST",
        "/beheer/inkoop/mandaat",
        ADMIN,
        Refused("Inkoop", "Kies een team."),
    ),
    e(
        "POST",
        "/beheer/inkoop/iwmo",
        ADMIN,
        Refused("Inkoop", "Vul de CBS-gemeentecode in"),
    ),
    e("GET", "/aanbod/contracten", PROVIDER, Page("Contracten")),
    e(
        "GET",
        "/aanbod/contracten/licenties/{id}/bewijs/{requirement}",
        PROVIDER,
        NotFound,
    ),
    e(
        "POST",
        "/aanbod/contracten/{id}/aanmelden",
        PROVIDER,
        Refused("Contracten", "Beschrijf het bewijs"),
    ),
    e(
        "POST",
        "/aanbod/tarieven",
        PROVIDER,
        Refused("Contracten", "Kies de tarieven die u accepteert."),
    ),
    e(
        "POST",
        "/aanbod/wachttijden",
        PROVIDER,
        Refused("Contracten", "Kies een product."),
    ),
    e(
        "GET",
        "/toewijzingen/keuze/{id}",
        CASEWORKERS,
        Refused("Dat ging niet goed", "noemt geen product"),
    ),
    e(
        "POST",
        "/toewijzingen/keuze/{id}",
        CASEWORKERS,
        Refused("Dat ging niet goed", "noemt geen product"),
    ),
    e(
        "GET",
        "/verzoeken",
        CASEWORKERS,
        Page("Verzoeken van aanbieders"),
    ),
    e("POST", "/verzoeken/{id}", CASEWORKERS, NotFound),
    e("GET", "/api/v1/iwmo/toewijzingen", PROVIDER, Json),
    e(
        "POST",
        "/api/v1/iwmo/berichten",
        PROVIDER,
        Problem(400, "the request body is empty"),
    ),
    e("GET", "/api/v1/iwmo/verzoeken", PROVIDER, Json),
    // Commissioning on results (commissioning/): the agenda, commissions,
    // reviews and payments by beleid (aggregates only), a provider's own
    // commissions and reports by the aanbieder. Commission 1 and report 1 are
    // the demo's (the welfare provider's, settled, its reports accepted).
    e(
        "GET",
        "/opdrachtgeverschap",
        BELEID,
        Page("Opdrachten en resultaten"),
    ),
    e(
        "POST",
        "/opdrachtgeverschap/doelen",
        BELEID,
        Refused("Opdrachten en resultaten", "Kies een van de acht bakens."),
    ),
    e(
        "POST",
        "/opdrachtgeverschap/opdrachten",
        BELEID,
        Refused("Opdrachten en resultaten", "Kies opdracht of subsidie."),
    ),
    e(
        "GET",
        "/opdrachtgeverschap/opdrachten/{id}",
        BELEID,
        Page("Welzijn "),
    ),
    e(
        "POST",
        "/opdrachtgeverschap/opdrachten/{id}/indicatoren",
        BELEID,
        Refused("Welzijn ", "Kies waar het cijfer vandaan komt."),
    ),
    e(
        "POST",
        "/opdrachtgeverschap/opdrachten/{id}/definitie",
        BELEID,
        Refused("Welzijn ", "Kies de indicator."),
    ),
    e(
        "POST",
        "/opdrachtgeverschap/opdrachten/{id}/vaststellen",
        BELEID,
        Refused("Welzijn ", "De vaststelling is al vastgelegd."),
    ),
    e(
        "GET",
        "/opdrachtgeverschap/rapportages/{id}",
        BELEID,
        Page("Rapportage "),
    ),
    e(
        "POST",
        "/opdrachtgeverschap/rapportages/{id}",
        BELEID,
        Refused("Rapportage ", "Kies: accepteren of een vraag stellen."),
    ),
    e(
        "GET",
        "/opdrachtgeverschap/betalingen",
        BELEID,
        Page("Betalingen"),
    ),
    e("GET", "/opdrachtgeverschap/betalingen.csv", BELEID, Csv),
    e("GET", "/aanbod/opdrachten", PROVIDER, Page("Opdrachten")),
    e("GET", "/aanbod/opdrachten/{id}", PROVIDER, Page("Welzijn ")),
    e(
        "POST",
        "/aanbod/opdrachten/{id}/plannen",
        PROVIDER,
        NO_VERSION,
    ),
    e(
        "GET",
        "/aanbod/rapportages/{id}",
        PROVIDER,
        Page("Rapportage "),
    ),
    e(
        "POST",
        "/aanbod/rapportages/{id}",
        PROVIDER,
        Refused("Rapportage ", "Kies: opslaan, indienen of antwoorden."),
    ),
    e("GET", "/", PUBLIC, Redirect("/start")),
    e("GET", "/ontwikkelaars", PUBLIC, Page("Voor ontwikkelaars")),
    e("GET", "/health", PUBLIC, Json),
    e("GET", "/ready", PUBLIC, Json),
    e("GET", "/static/baken.css", PUBLIC, Css),
    e("GET", "/inloggen", PUBLIC, Redirect("/start")),
    e(
        "POST",
        "/inloggen",
        PUBLIC,
        Refused("Inloggen", "Gebruikersnaam of wachtwoord klopt niet"),
    ),
    e("POST", "/uitloggen", LOGGED_IN, Redirect("/inloggen")),
    // A complete session has nothing to do on the code page.
    e("GET", "/inloggen/code", LOGGED_IN, Redirect("/start")),
    e("POST", "/inloggen/code", LOGGED_IN, Redirect("/start")),
    e(
        "GET",
        "/inloggen/tweede-stap",
        LOGGED_IN,
        Page("Tweede stap instellen"),
    ),
    e(
        "POST",
        "/inloggen/tweede-stap",
        LOGGED_IN,
        Refused("Tweede stap instellen", "Deze code klopt niet"),
    ),
    e(
        "POST",
        "/inloggen/tweede-stap/herstelcodes",
        LOGGED_IN,
        Redirect("/inloggen/tweede-stap"),
    ),
    // Without `[oidc]` in the configuration there is no single sign-on.
    e("GET", "/inloggen/oidc", PUBLIC, NotFound),
    e("GET", "/inloggen/oidc/terug", PUBLIC, NotFound),
    e("GET", "/start", LOGGED_IN, Page("Welkom, ")),
    e("GET", "/account", LOGGED_IN, Page("Mijn account")),
    e("GET", "/meldingen", LOGGED_IN, Page("Meldingen")),
    e(
        "POST",
        "/meldingen/email",
        LOGGED_IN,
        Redirect("/meldingen?opgeslagen=email"),
    ),
    e(
        "POST",
        "/meldingen/gelezen",
        LOGGED_IN,
        Redirect("/meldingen?opgeslagen=gelezen"),
    ),
    e(
        "POST",
        "/account/wachtwoord",
        LOGGED_IN,
        Refused("Mijn account", "Uw huidige wachtwoord klopt niet"),
    ),
    e("GET", "/huishoudens", CASEWORKERS, Page("Huishoudens")),
    e("GET", "/huishoudens/{id}", CASEWORKERS, Page("Huishouden ")),
    e("GET", "/mijn-huishouden", RESIDENT, Page("Mijn huishouden")),
    e(
        "GET",
        "/mijn-huishouden/inzage",
        RESIDENT,
        Page("Wie heeft mijn gegevens ingezien"),
    ),
    e(
        "GET",
        "/cijfers",
        &["teamleider", "beleid"],
        Page("Cijfers"),
    ),
    e("GET", "/beheer/gebruikers", ADMIN, Page("Gebruikers")),
    e(
        "GET",
        "/beheer/gebruikers/nieuw",
        ADMIN,
        Page("Nieuwe gebruiker"),
    ),
    e(
        "POST",
        "/beheer/gebruikers/nieuw",
        ADMIN,
        Refused("Nieuwe gebruiker", "Er is niets opgeslagen"),
    ),
    e(
        "GET",
        "/beheer/gebruikers/{id}",
        ADMIN,
        Page("Gebruiker vrijwilliger wijzigen"),
    ),
    e("POST", "/beheer/gebruikers/{id}", ADMIN, NO_VERSION),
    e(
        "GET",
        "/beheer/gebruikers/{id}/tweede-stap",
        ADMIN,
        Page("Tweede stap van "),
    ),
    e(
        "POST",
        "/beheer/gebruikers/{id}/tweede-stap",
        ADMIN,
        Redirect("/beheer/gebruikers/2/tweede-stap?hersteld=1"),
    ),
    e(
        "POST",
        "/beheer/gebruikers/{id}/wachtwoord",
        ADMIN,
        Refused(
            "Gebruiker vrijwilliger wijzigen",
            "Kies een wachtwoord van minstens",
        ),
    ),
    e("GET", "/beheer/teams", ADMIN, Page("Teams")),
    e(
        "POST",
        "/beheer/teams",
        ADMIN,
        Refused("Teams", "Het team is niet aangemaakt"),
    ),
    e(
        "GET",
        "/beheer/teams/{id}",
        ADMIN,
        Page("Wijkteam Centrum wijzigen"),
    ),
    e("POST", "/beheer/teams/{id}", ADMIN, NO_VERSION),
    e("GET", "/beheer/aanbieders", ADMIN, Page("Aanbieders")),
    e(
        "POST",
        "/beheer/aanbieders",
        ADMIN,
        Refused("Aanbieders", "De aanbieder is niet toegevoegd"),
    ),
    e(
        "GET",
        "/beheer/aanbieders/{id}",
        ADMIN,
        Page("Stichting Welzijn Proefstad wijzigen"),
    ),
    e("POST", "/beheer/aanbieders/{id}", ADMIN, NO_VERSION),
    e("GET", "/beheer/wijken", ADMIN, Page("Wijken en buurten")),
    e(
        "GET",
        "/beheer/wijken/{code}",
        ADMIN,
        Page("Wijk Centrum wijzigen"),
    ),
    e("POST", "/beheer/wijken/{code}", ADMIN, NO_VERSION),
    e("GET", "/beheer/buurten/{code}", ADMIN, Page("Buurt ")),
    e("POST", "/beheer/buurten/{code}", ADMIN, NO_VERSION),
    e("GET", "/beheer/audit", ADMIN, Page("Auditlog")),
    e(
        "GET",
        "/beheer/audit/export.csv",
        ADMIN,
        Refused("Dat ging niet goed", "Kies een persoon"),
    ),
    e("GET", "/monitor", &["beleid"], Page("Stapelingsmonitor")),
    e(
        "POST",
        "/monitor",
        &["beleid"],
        Refused("Dat ging niet goed", "Er zijn geen bestanden meegestuurd"),
    ),
    // The demo holds no monitor reports.
    e("GET", "/monitor/rapporten/{id}", &["beleid"], NotFound),
    e(
        "GET",
        "/monitor/rapporten/{id}/report.json",
        &["beleid"],
        NotFound,
    ),
    // The Wmo client survey (survey/): the team sends invitations, residents
    // answer without logging in, beleid and team leads read protected results.
    e(
        "GET",
        "/enquete",
        CASEWORKERS,
        Page("Cliëntervaringsonderzoek"),
    ),
    e(
        "POST",
        "/enquete/ronde",
        CASEWORKERS,
        Refused("Cliëntervaringsonderzoek", "Kies een van de kwartalen"),
    ),
    e(
        "GET",
        "/enquete/resultaten",
        &["teamleider", "beleid"],
        Page("Cliëntervaringsonderzoek"),
    ),
    e(
        "GET",
        "/enquete/resultaten.csv",
        &["teamleider", "beleid"],
        Csv,
    ),
    e(
        "GET",
        "/vragenlijst",
        PUBLIC,
        Page("Vragenlijst over uw ondersteuning"),
    ),
    e(
        "POST",
        "/vragenlijst",
        PUBLIC,
        Refused("Vragenlijst over uw ondersteuning", "16 letters en cijfers"),
    ),
    e(
        "POST",
        "/vragenlijst/antwoorden",
        PUBLIC,
        Refused("Vragenlijst over uw ondersteuning", "16 letters en cijfers"),
    ),
    e("GET", "/vragenlijst/bedankt", PUBLIC, Page("Bedankt")),
    // Sociale kaart and Eigen Kracht Wijzer.
    e("GET", "/kaart", PUBLIC, Page("Sociale kaart")),
    e("GET", "/kaart/voorzieningen/{id}", PUBLIC, Page("")),
    e("GET", "/wijzer", PUBLIC, Page("Eigen Kracht Wijzer")),
    e("POST", "/wijzer/situatie", PUBLIC, Page("Uw situatie")),
    e("POST", "/wijzer/resultaat", PUBLIC, Page("Wat past bij u")),
    e(
        "POST",
        "/wijzer/resultaat/bestand",
        PUBLIC,
        Page("Wat past bij u"),
    ),
    e(
        "POST",
        "/wijzer/meedenken",
        PUBLIC,
        Refused("Wat past bij u", "Uw vraag is nog niet verstuurd"),
    ),
    e(
        "GET",
        "/beheer/kaart",
        MAP_KEEPERS,
        Page("Voorzieningen beheren"),
    ),
    e(
        "GET",
        "/beheer/kaart/in-te-delen",
        MAP_KEEPERS,
        Page("Nog in te delen"),
    ),
    e(
        "GET",
        "/beheer/kaart/nieuw",
        MAP_KEEPERS,
        Page("Nieuwe voorziening"),
    ),
    e(
        "POST",
        "/beheer/kaart/nieuw",
        MAP_KEEPERS,
        Refused("Nieuwe voorziening", "Er is niets opgeslagen"),
    ),
    e(
        "GET",
        "/beheer/kaart/{id}",
        MAP_KEEPERS,
        Page("Voorziening wijzigen"),
    ),
    e("POST", "/beheer/kaart/{id}", MAP_KEEPERS, NO_VERSION),
    e(
        "GET",
        "/beheer/wijzer",
        ADMIN,
        Page("Eigen Kracht Wijzer beheren"),
    ),
    e("GET", "/beheer/wijzer/{kind}/{key}", ADMIN, Page("")),
    e(
        "POST",
        "/beheer/wijzer/{kind}/{key}",
        ADMIN,
        Refused("", "Er is niets opgeslagen"),
    ),
    // Deleting needs nothing but the token: the walk deletes the item.
    e(
        "POST",
        "/beheer/wijzer/{kind}/{key}/verwijderen",
        ADMIN,
        Redirect("/beheer/wijzer?opgeslagen=verwijderd"),
    ),
    // Casework.
    e(
        "GET",
        "/zorgmelding",
        PUBLIC,
        Page("Zorg om iemand in uw buurt?"),
    ),
    e(
        "POST",
        "/zorgmelding",
        PUBLIC,
        Refused(
            "Zorg om iemand in uw buurt?",
            "Uw melding is nog niet verstuurd",
        ),
    ),
    e("GET", "/signalen/nieuw", PARTNERS, Page("Zorg melden")),
    e(
        "POST",
        "/signalen/nieuw",
        PARTNERS,
        Refused("Zorg melden", "Uw melding is nog niet verstuurd"),
    ),
    e("GET", "/signalen", CASEWORKERS, Page("Signalen")),
    e(
        "POST",
        "/signalen/{id}/toewijzen",
        CASEWORKERS,
        Refused("Signalen", "Er is niets opgeslagen"),
    ),
    e(
        "POST",
        "/signalen/{id}/contact",
        CASEWORKERS,
        Refused("Signalen", "Er is niets opgeslagen"),
    ),
    e(
        "POST",
        "/signalen/{id}/sluiten",
        CASEWORKERS,
        Refused("Signalen", "Er is niets opgeslagen"),
    ),
    e("GET", "/zoeken", CASEWORKERS, Page("Huishouden zoeken")),
    e("GET", "/mijn-caseload", CASEWORKERS, Page("Mijn caseload")),
    e(
        "GET",
        "/teamoverzicht",
        &["teamleider"],
        Page("Teamoverzicht"),
    ),
    e("GET", "/teamoverzicht/caseload.csv", &["teamleider"], Csv),
    e(
        "POST",
        "/verwijzingen/{id}/besluit",
        &["teamleider"],
        Refused("Teamoverzicht", "Het besluit is niet opgeslagen"),
    ),
    e("GET", "/dossier/{id}", CASEWORKERS, Page("Dossier ")),
    e(
        "POST",
        "/dossier/{id}/gesprek",
        CASEWORKERS,
        Refused("Dossier ", "Er is niets opgeslagen"),
    ),
    e(
        "POST",
        "/dossier/{id}/plan",
        CASEWORKERS,
        Refused("Dossier ", "Er is niets opgeslagen"),
    ),
    e(
        "POST",
        "/dossier/{id}/overdragen",
        CASEWORKERS,
        Refused("Dossier ", "Er is niets opgeslagen"),
    ),
    e(
        "POST",
        "/dossier/{id}/contactmoment",
        CASEWORKERS,
        Refused("Dossier ", "Er is niets opgeslagen"),
    ),
    e(
        "POST",
        "/dossier/{id}/toestemming",
        CASEWORKERS,
        Refused("Dossier ", "Er is niets opgeslagen"),
    ),
    // The walk names a consent that does not exist: nothing is withdrawn.
    e(
        "POST",
        "/dossier/{id}/toestemming/{consent}/intrekken",
        CASEWORKERS,
        NotFound,
    ),
    e("POST", "/plannen/{id}/doelen", CASEWORKERS, NO_PLAN_VERSION),
    e(
        "POST",
        "/plannen/{id}/afspraken",
        CASEWORKERS,
        NO_PLAN_VERSION,
    ),
    e(
        "POST",
        "/plannen/{id}/afspraak-beeindigen",
        CASEWORKERS,
        NO_PLAN_VERSION,
    ),
    e(
        "POST",
        "/plannen/{id}/afspraak-vervallen",
        CASEWORKERS,
        NO_PLAN_VERSION,
    ),
    e(
        "POST",
        "/plannen/{id}/afspraak-voortzetten",
        CASEWORKERS,
        NO_PLAN_VERSION,
    ),
    e(
        "POST",
        "/plannen/{id}/verwijzingen",
        CASEWORKERS,
        NO_PLAN_VERSION,
    ),
    e(
        "POST",
        "/plannen/{id}/evaluatie",
        CASEWORKERS,
        NO_PLAN_VERSION,
    ),
    e(
        "POST",
        "/plannen/{id}/eigen-kracht-conferentie",
        CASEWORKERS,
        NO_PLAN_VERSION,
    ),
    e(
        "POST",
        "/plannen/{id}/eigen-kracht-conferentie/{conference}/familieplan",
        CASEWORKERS,
        NO_PLAN_VERSION,
    ),
    e(
        "POST",
        "/plannen/{id}/sluiten",
        CASEWORKERS,
        NO_PLAN_VERSION,
    ),
    e("GET", "/mijn-plan", RESIDENT, Page("Mijn plan")),
    e(
        "POST",
        "/mijn-plan/voortgang",
        RESIDENT,
        Refused("Mijn plan", "Schrijf in een paar zinnen hoe het gaat"),
    ),
    e(
        "POST",
        "/mijn-plan/toestemming/{consent}/intrekken",
        RESIDENT,
        NotFound,
    ),
    e(
        "GET",
        "/aanbieder/huishoudens",
        &["aanbieder"],
        Page("Huishoudens met een afspraak"),
    ),
    e(
        "GET",
        "/aanbieder/huishoudens/{id}",
        &["aanbieder"],
        Page("Huishouden "),
    ),
    e(
        "POST",
        "/aanbieder/huishoudens/{id}/afspraken/{agreement}/bericht",
        &["aanbieder"],
        Refused("Huishouden ", "Er is niets verstuurd"),
    ),
    e("GET", "/bakens", &["teamleider", "beleid"], Page("Bakens")),
    e("GET", "/bakens.csv", &["teamleider", "beleid"], Csv),
    e(
        "GET",
        "/dashboard",
        &["teamleider", "beleid"],
        Page("Dashboard verantwoording"),
    ),
    e("GET", "/dashboard.csv", &["teamleider", "beleid"], Csv),
    e(
        "GET",
        "/tekorten",
        &["beleid", "beheerder"],
        Page("Tekorten in het aanbod"),
    ),
    e("GET", "/tekorten.csv", &["beleid", "beheerder"], Csv),
    e(
        "GET",
        "/beheer/piramide",
        ADMIN,
        Page("Doelen van de piramide"),
    ),
    e(
        "POST",
        "/beheer/piramide",
        ADMIN,
        Refused("Dat ging niet goed", "mist de versie"),
    ),
    e(
        "GET",
        "/beheer/responsnormen",
        ADMIN,
        Page("Responsnormen voor signalen"),
    ),
    e(
        "POST",
        "/beheer/responsnormen",
        ADMIN,
        Refused("Dat ging niet goed", "mist de versie"),
    ),
    e("GET", "/api/v1/signals", CASEWORKERS, Json),
    // Partners report through the API as on the page.
    e(
        "POST",
        "/api/v1/signals",
        &[
            "vrijwilliger",
            "makelaar",
            "generalist",
            "teamleider",
            "aanbieder",
        ],
        BAD_JSON,
    ),
    e("POST", "/api/v1/signals/{id}/triage", CASEWORKERS, BAD_JSON),
    e(
        "POST",
        "/api/v1/signals/{id}/first-contact",
        CASEWORKERS,
        BAD_JSON,
    ),
    e(
        "GET",
        "/api/v1/households/{id}/conversations",
        CASEWORKERS,
        Json,
    ),
    e(
        "POST",
        "/api/v1/households/{id}/conversations",
        CASEWORKERS,
        BAD_JSON,
    ),
    e("GET", "/api/v1/households/{id}/timeline", CASEWORKERS, Json),
    e(
        "POST",
        "/api/v1/households/{id}/contact-moments",
        CASEWORKERS,
        BAD_JSON,
    ),
    e("GET", "/api/v1/households/{id}/consents", CASEWORKERS, Json),
    e(
        "POST",
        "/api/v1/households/{id}/consents",
        CASEWORKERS,
        BAD_JSON,
    ),
    e(
        "POST",
        "/api/v1/households/{id}/consents/{consent}/withdraw",
        CASEWORKERS,
        BAD_JSON,
    ),
    e(
        "GET",
        "/api/v1/households/{id}/conferences",
        CASEWORKERS,
        Json,
    ),
    e(
        "POST",
        "/api/v1/plans/{id}/conferences",
        CASEWORKERS,
        BAD_JSON,
    ),
    e(
        "POST",
        "/api/v1/agreements/{id}/withdraw",
        CASEWORKERS,
        BAD_JSON,
    ),
    e("GET", "/api/v1/households/{id}/plans", CASEWORKERS, Json),
    // Household 1 already has its one open plan.
    e(
        "POST",
        "/api/v1/households/{id}/plans",
        CASEWORKERS,
        Problem(422, "already has an open plan"),
    ),
    e("POST", "/api/v1/plans/{id}/goals", CASEWORKERS, BAD_JSON),
    e(
        "POST",
        "/api/v1/plans/{id}/agreements",
        CASEWORKERS,
        BAD_JSON,
    ),
    e(
        "POST",
        "/api/v1/plans/{id}/evaluations",
        CASEWORKERS,
        BAD_JSON,
    ),
    e("POST", "/api/v1/plans/{id}/close", CASEWORKERS, BAD_JSON),
    e("POST", "/api/v1/agreements/{id}/end", CASEWORKERS, BAD_JSON),
    e(
        "POST",
        "/api/v1/agreements/{id}/continue",
        CASEWORKERS,
        BAD_JSON,
    ),
    e("GET", "/api/v1/referrals", CASEWORKERS, Json),
    e(
        "POST",
        "/api/v1/plans/{id}/referrals",
        CASEWORKERS,
        BAD_JSON,
    ),
    // The walk approves the pending referral (an empty body is a complete
    // approval), so rejecting it afterwards is a conflict: it was decided once.
    e(
        "POST",
        "/api/v1/referrals/{id}/approve",
        &["teamleider"],
        Json,
    ),
    e(
        "POST",
        "/api/v1/referrals/{id}/reject",
        &["teamleider"],
        Problem(409, "already decided"),
    ),
    e(
        "GET",
        "/hulpvragen",
        CASEWORKERS,
        Page("Hulpvragen uit de Eigen Kracht Wijzer"),
    ),
    e("GET", "/hulpvragen/{id}", CASEWORKERS, Page("Hulpvraag")),
    e("GET", "/api/v1/hsds", PUBLIC, Json),
    e("GET", "/api/v1/hsds/services", PUBLIC, Json),
    e("GET", "/api/v1/hsds/service_at_locations", PUBLIC, Json),
    e(
        "GET",
        "/api/v1/hsds/service_at_locations/{id}",
        PUBLIC,
        Json,
    ),
    e("GET", "/api/v1/hsds/taxonomies", PUBLIC, Json),
    e("GET", "/api/v1/hsds/taxonomies/{id}", PUBLIC, Json),
    e("GET", "/api/v1/hsds/taxonomy_terms", PUBLIC, Json),
    e("GET", "/api/v1/hsds/taxonomy_terms/{id}", PUBLIC, Json),
    e("GET", "/api/v1/hsds/services/{id}", PUBLIC, Json),
    e("GET", "/api/v1/hsds/organizations", PUBLIC, Json),
    e("GET", "/api/v1/hsds/organizations/{id}", PUBLIC, Json),
    e("GET", "/api/v1/hsds/service-at-locations", PUBLIC, Json),
    e(
        "GET",
        "/api/v1/hsds/service-at-locations/{id}",
        PUBLIC,
        Json,
    ),
    e("GET", "/api/v1/openapi.json", PUBLIC, Json),
    e(
        "GET",
        "/api/v1/households",
        &["generalist", "teamleider", "inwoner"],
        Json,
    ),
    e(
        "GET",
        "/api/v1/households/{id}",
        &["generalist", "teamleider", "inwoner"],
        Json,
    ),
];

/// Ids in the demo, in the demo accounts' scope.
struct Ids {
    household: i64,
    signal: i64,
    plan: i64,
    referral: i64,
    provider_household: i64,
    service: i64,
    own_service: i64,
    service_uuid: String,
    organization_uuid: String,
    service_at_location_uuid: String,
    wijzer: (String, String),
    help_request: i64,
}

async fn one<T>(app: &TestApp, sql: &'static str) -> T
where
    T: Send + Unpin + for<'r> baken_store::sqlx::FromRow<'r, baken_store::sqlx::sqlite::SqliteRow>,
    T: for<'r> baken_store::sqlx::FromRow<'r, baken_store::sqlx::postgres::PgRow>,
{
    let mut tx = app.db.read().await.expect("tx");
    with_conn!(&mut tx, |c| baken_store::sqlx::query_as(sql)
        .fetch_one(&mut *c)
        .await)
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn ids(app: &TestApp) -> Ids {
    // The generalist's team is Wijkteam Centrum (id 1); the aanbieder works for provider 1.
    let (signal,): (i64,) = one(
        app,
        "SELECT id FROM cw_signals WHERE team_id = 1 ORDER BY id LIMIT 1",
    )
    .await;
    let (plan,): (i64,) = one(
        app,
        "SELECT p.id FROM cw_plans p JOIN households h ON h.id = p.household_id \
         WHERE h.team_id = 1 AND p.status = 'open' ORDER BY p.id LIMIT 1",
    )
    .await;
    let (referral,): (i64,) = one(
        app,
        "SELECT r.id FROM cw_referrals r JOIN cw_plans p ON p.id = r.plan_id \
         JOIN households h ON h.id = p.household_id \
         WHERE h.team_id = 1 AND r.status = 'aangevraagd' ORDER BY r.id LIMIT 1",
    )
    .await;
    let (service, service_uuid): (i64, String) = one(
        app,
        "SELECT id, uuid FROM kaart_services ORDER BY id LIMIT 1",
    )
    .await;
    let (own_service,): (i64,) = one(
        app,
        "SELECT id FROM kaart_services WHERE provider_id = 1 ORDER BY id LIMIT 1",
    )
    .await;
    let (organization_uuid,): (String,) = one(
        app,
        "SELECT uuid FROM kaart_organizations ORDER BY provider_id LIMIT 1",
    )
    .await;
    let (service_at_location_uuid,): (String,) = one(
        app,
        "SELECT uuid FROM kaart_service_locations ORDER BY uuid LIMIT 1",
    )
    .await;
    let wijzer: (String, String) = one(
        app,
        "SELECT kind, key FROM kaart_wijzer_items ORDER BY kind, key LIMIT 1",
    )
    .await;
    let (help_request,): (i64,) = one(
        app,
        "SELECT r.id FROM kaart_help_requests r JOIN teams t ON t.district_code = r.district_code \
         WHERE t.id = 1 ORDER BY r.id LIMIT 1",
    )
    .await;
    let provider_household = {
        let mut tx = app.db.read().await.expect("tx");
        let today = baken_web::casework::today();
        let hits = baken_store::casework::provider_households(&mut tx, 1, today)
            .await
            .expect("provider households");
        hits.first()
            .expect("the demo aanbieder works for a household")
            .id
    };
    Ids {
        household: 1,
        signal,
        plan,
        referral,
        provider_household,
        service,
        own_service,
        service_uuid,
        organization_uuid,
        service_at_location_uuid,
        wijzer,
        help_request,
    }
}

/// The concrete path for a route template: each placeholder becomes an id of
/// the right kind that exists and lies in scope.
fn concrete(template: &str, ids: &Ids) -> String {
    let id = if template.starts_with("/signalen/") {
        ids.signal.to_string()
    } else if template.starts_with("/plannen/") || template.starts_with("/api/v1/plans/") {
        ids.plan.to_string()
    } else if template.starts_with("/verwijzingen/")
        || template.starts_with("/api/v1/referrals/")
        || template.starts_with("/toewijzingen/keuze/")
    {
        ids.referral.to_string()
    } else if template.starts_with("/aanbieder/huishoudens/") {
        ids.provider_household.to_string()
    } else if template.starts_with("/hulpvragen/") {
        ids.help_request.to_string()
    } else if template.starts_with("/kaart/voorzieningen/") {
        ids.service.to_string()
    } else if template.starts_with("/beheer/kaart/") {
        ids.own_service.to_string()
    } else if template.starts_with("/api/v1/hsds/services/") {
        ids.service_uuid.clone()
    } else if template.starts_with("/api/v1/hsds/organizations/") {
        ids.organization_uuid.clone()
    } else if template.starts_with("/api/v1/hsds/taxonomies/") {
        baken_hsds::derived_uuid("baken:taxonomy:trede")
    } else if template.starts_with("/api/v1/hsds/taxonomy_terms/") {
        baken_hsds::derived_uuid("baken:term:trede:3")
    } else if template.starts_with("/api/v1/hsds/service-at-locations/")
        || template.starts_with("/api/v1/hsds/service_at_locations/")
    {
        ids.service_at_location_uuid.clone()
    } else if template.starts_with("/beheer/gebruikers/") {
        // The vrijwilliger: not the beheerder's own account.
        "2".to_owned()
    } else if template.starts_with("/beheer/teams/")
        || template.starts_with("/beheer/inkoop/producten/")
        || template.starts_with("/beheer/aanbieders/")
        || template.starts_with("/monitor/")
    {
        "1".to_owned()
    } else if template.starts_with("/buurtmarktplaats/")
        || template.starts_with("/makelaar/")
        || template.starts_with("/vrijwilligerswerk/")
        || template.starts_with("/vacatures/")
        || template.starts_with("/servicepunt/")
        || template.starts_with("/mantelzorgconsulent/")
    {
        // No listing, match or participant has this id.
        "999999".to_owned()
    } else {
        ids.household.to_string()
    };
    let path = template
        .replace("{id}", &id)
        .replace(
            "{code}",
            if template.starts_with("/beheer/buurten/") {
                "BU99990101"
            } else {
                "WK999901"
            },
        )
        // No consent has this id: a walk never withdraws one.
        .replace("{consent}", "999999")
        .replace("{agreement}", "1")
        .replace("{requirement}", "1")
        .replace("{conference}", "999999")
        .replace("{kind}", &ids.wijzer.0)
        .replace("{key}", &ids.wijzer.1);
    assert!(!path.contains('{'), "no id for {template}");
    path
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

#[test]
fn the_matrix_covers_exactly_the_route_table() {
    let table: Vec<(String, String)> = routes::table()
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    for (m, p) in &table {
        assert!(
            MATRIX.iter().any(|x| x.method == m && x.path == p),
            "route {m} {p} is missing from the access matrix"
        );
    }
    for x in MATRIX {
        assert!(
            table.iter().any(|(m, p)| m == x.method && p == x.path),
            "matrix entry {} {} is not a route",
            x.method,
            x.path
        );
    }
}

async fn request(app: &TestApp, method: &str, path: &str, who: &As) -> TestResponse {
    match (method, is_api(path)) {
        ("GET", _) => app.get(path, who).await,
        (_, true) => app.post_json(path, who, "").await,
        // Each form from its own address: the empty login form is a wrong
        // password, and more than a few from one address must wait.
        _ => {
            static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let from =
                address(5_000 + NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 5_000);
            let form = app.form_body(who, &[]);
            app.send_from(Some(from), "POST", path, who, Some(form))
                .await
        }
    }
}

fn h1(body: &str) -> Option<String> {
    let start = body.find("<h1")?;
    let rest = &body[start..];
    let open = rest.find('>')? + 1;
    let close = rest.find("</h1>")?;
    Some(rest[open..close].trim().to_owned())
}

/// `None` if the response is what `expect` says; else what is wrong.
fn check(res: &TestResponse, expect: Expect) -> Option<String> {
    let html = res.content_type().starts_with("text/html");
    let dutch = html && res.body.contains("<html lang=\"nl\">");
    let heading = h1(&res.body).unwrap_or_default();
    let problem = res.content_type() == "application/problem+json";
    let ok = match expect {
        Page(text) => {
            res.status == 200 && dutch && heading.starts_with(text) && !heading.is_empty()
        }
        Redirect(to) => res.status == 303 && res.location().is_some_and(|l| l.starts_with(to)),
        Json => {
            res.status == 200
                && res.content_type().starts_with("application/json")
                && serde_json::from_str::<serde_json::Value>(&res.body).is_ok()
        }
        Css => res.status == 200 && res.content_type().starts_with("text/css"),
        Csv => {
            res.status == 200
                && res.content_type().starts_with("text/csv")
                && res.body.starts_with('\u{feff}')
                && res.body.lines().next().is_some_and(|l| l.contains(';'))
        }
        Refused(h, text) => {
            res.status == 400 && dutch && heading.starts_with(h) && res.body.contains(text)
        }
        NotFound => res.status == 404 && (problem || (dutch && heading == "Pagina niet gevonden")),
        Problem(status, text) => {
            res.status.as_u16() == status && problem && res.body.contains(text)
        }
    };
    (!ok).then(|| {
        let shown = match res.body.find("role=\"alert\"") {
            Some(i) => res.body[i..].chars().take(300).collect::<String>(),
            None => res.body.chars().take(160).collect::<String>(),
        };
        format!(
            "expected {expect:?}, got {} {} h1={heading:?} location={:?} body: {shown:?}",
            res.status,
            res.content_type(),
            res.location(),
        )
    })
}

#[tokio::test]
async fn every_route_for_every_role_matches_the_matrix() {
    for app in apps(60).await {
        let ids = ids(&app).await;
        let mut wrong = Vec::new();
        for role in Role::ALL {
            let username = role.as_str();
            for entry in MATRIX {
                let path = concrete(entry.path, &ids);
                let who = if is_api(&path) {
                    app.token_for(username).await
                } else {
                    app.login_as(username).await
                };
                let before = app.audit_count().await;
                let res = request(&app, entry.method, &path, &who).await;
                let may = entry.allowed == PUBLIC || entry.allowed.contains(&username);
                let what = format!(
                    "{:?} {username} {} {}",
                    app.backend, entry.method, entry.path
                );
                if may {
                    if let Some(problem) = check(&res, entry.expect) {
                        wrong.push(format!("{what}: {problem}"));
                    }
                } else {
                    assert_eq!(res.status, 403, "{what}: should be refused");
                    if is_api(&path) {
                        assert_eq!(res.content_type(), "application/problem+json", "{what}");
                    } else {
                        assert!(res.body.contains("Geen toegang"), "{what}: Dutch 403 page");
                        assert!(res.body.contains("<html lang=\"nl\">"), "{what}");
                    }
                    let refusal = last_audit_row(&app).await;
                    assert!(
                        app.audit_count().await > before,
                        "{what}: refusal not audited"
                    );
                    assert_eq!(
                        (refusal.action.as_str(), refusal.outcome.as_str()),
                        ("access", "denied"),
                        "{what}"
                    );
                    assert_eq!(refusal.username.as_deref(), Some(username), "{what}");
                    assert_eq!(&refusal.route, entry.path, "{what}");
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "{} outcomes differ from the matrix:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
    }
}

/// A different client address for each request, so that the flood guard on
/// anonymous refusals (tested below) does not come into play here.
fn address(i: usize) -> IpAddr {
    IpAddr::from([10, 1, (i / 250) as u8, (i % 250) as u8 + 1])
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_login_or_get_401_and_are_audited() {
    for app in apps(20).await {
        let ids = ids(&app).await;
        for (i, entry) in MATRIX.iter().enumerate() {
            if entry.allowed == PUBLIC {
                continue;
            }
            let path = concrete(entry.path, &ids);
            let what = format!(
                "{:?} anonymous {} {}",
                app.backend, entry.method, entry.path
            );
            let before = app.audit_count().await;
            let body = match (entry.method, is_api(&path)) {
                ("GET", _) => None,
                (_, true) => Some(String::new()),
                _ => Some(app.form_body(&As::Anonymous, &[])),
            };
            let res = app
                .send_from(Some(address(i)), entry.method, &path, &As::Anonymous, body)
                .await;
            if is_api(&path) {
                assert_eq!(res.status, 401, "{what}");
                assert_eq!(res.content_type(), "application/problem+json", "{what}");
                assert!(res.headers.contains_key("www-authenticate"), "{what}");
            } else {
                assert_eq!(res.status, 303, "{what}");
                assert!(
                    res.location().unwrap_or("").starts_with("/inloggen"),
                    "{what}"
                );
            }
            assert_eq!(app.audit_count().await, before + 1, "{what}: audited once");
            let entry_row = &last_audit_row(&app).await;
            assert_eq!(
                (entry_row.action.as_str(), entry_row.outcome.as_str()),
                ("access", "unauthenticated"),
                "{what}"
            );
            assert_eq!(entry_row.username, None, "{what}");
            assert_eq!(entry_row.user_id, None, "{what}");
            assert_eq!(entry_row.route, entry.path, "{what}");
            assert_eq!(entry_row.client_addr, address(i).to_string(), "{what}");
            assert!(
                !entry_row.detail.contains(&path) || path == entry.path,
                "{what}: the concrete path stays out of the log"
            );
        }
    }
}

#[tokio::test]
async fn a_flood_of_anonymous_requests_from_one_address_is_audited_only_up_to_its_budget() {
    for app in apps(10).await {
        let flooder = IpAddr::from([192, 0, 2, 7]);
        let before = app.audit_count().await;
        for _ in 0..60 {
            let res = app
                .send_from(Some(flooder), "GET", "/huishoudens/1", &As::Anonymous, None)
                .await;
            assert_eq!(res.status, 303, "every request is still refused");
        }
        let written = app.audit_count().await - before;
        assert_eq!(written, 20, "{:?}: the budget per minute", app.backend);
        let last = &last_audit_row(&app).await;
        assert!(last.detail.contains("niet vastgelegd"), "{}", last.detail);

        // Another address is audited as before.
        app.send_from(
            Some(IpAddr::from([192, 0, 2, 8])),
            "GET",
            "/huishoudens/1",
            &As::Anonymous,
            None,
        )
        .await;
        assert_eq!(app.audit_count().await - before, 21);
        // And a logged-in user's refusal is always audited.
        let beleid = app.login_as("beleid").await;
        app.send_from(Some(flooder), "GET", "/huishoudens/1", &beleid, None)
            .await;
        assert_eq!(app.audit_count().await - before, 22);
    }
}

//! The synthetic social map of Proefstad and the Eigen Kracht Wijzer's content.
//!
//! Some 300 services on all five ladder steps across all districts — from the
//! community centre's neighbourhood meal to home help and youth care — plus
//! volunteer opportunities ("voorlezen op de basisschool", "maaltijd koken in
//! het buurthuis"), and the wijzer's topics, questions, interests, stories and
//! rules. Deterministic: no randomness at all.

use crate::Municipality;
use baken_domain::casework::LifeDomain as D;
use baken_domain::kaart::{
    Condition, Interest, Limitation, NetworkOption, Rule, RuleAction, ServiceDraft,
    SituationOption, SituationQuestion, Story, SynonymGroup, Topic, WijzerContent,
};
use baken_domain::LadderStep;

#[derive(Debug, Clone)]
pub struct OrganizationSpec {
    /// Index into [`Municipality::providers`].
    pub provider: usize,
    pub description: String,
    pub website: String,
    pub email: String,
}

#[derive(Debug, Clone)]
pub struct LocationSpec {
    pub name: String,
    pub address: String,
    pub postcode: String,
    pub city: String,
    pub district: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ServiceSpec {
    /// Index into [`Municipality::providers`].
    pub provider: usize,
    pub draft: ServiceDraft,
    /// Indexes into [`Kaart::locations`].
    pub locations: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Kaart {
    pub organizations: Vec<OrganizationSpec>,
    pub locations: Vec<LocationSpec>,
    pub services: Vec<ServiceSpec>,
    pub wijzer: WijzerContent,
}

/// Where a template is offered.
#[derive(Clone, Copy, PartialEq)]
enum Spread {
    /// Once, for the whole municipality, at the town hall.
    City,
    /// Once per district, at the district centre.
    District,
    /// Once per neighbourhood, at its community centre (buurthuis).
    Neighbourhood,
    /// Once per neighbourhood, at its primary school.
    School,
}

struct T {
    name: &'static str,
    desc: &'static str,
    step: u8,
    domains: &'static [D],
    collective: bool,
    form: &'static str,
    cost: &'static str,
    unit: &'static str,
    provider: usize,
    spread: Spread,
    schedule: &'static str,
    eligibility: &'static str,
    ages: (Option<u8>, Option<u8>),
    apply: &'static str,
    capacity: &'static str,
    volunteering: bool,
    status: &'static str,
}

const fn t(
    name: &'static str,
    desc: &'static str,
    step: u8,
    domains: &'static [D],
    collective: bool,
    provider: usize,
    spread: Spread,
) -> T {
    T {
        name,
        desc,
        step,
        domains,
        collective,
        form: if step >= 5 {
            "ondersteunen"
        } else {
            "faciliteren"
        },
        cost: "",
        unit: "",
        provider,
        spread,
        schedule: "",
        eligibility: "",
        ages: (None, None),
        apply: "",
        capacity: "",
        volunteering: false,
        status: "actief",
    }
}

use Spread::{City, District, Neighbourhood, School};

// Providers: 0 Stichting Welzijn Proefstad, 1 Buurtwerk De Brug, 2 Thuishulp
// Proefstad, 3 Jeugdhulp Rivierland, 4 Schuldhulp Samen, 5 GGZ Proefland,
// 6 Woonstichting, 7 Vrijwilligerscentrale, 8 Mantelzorgsteunpunt, 9 Werkbedrijf.
fn templates() -> Vec<T> {
    vec![
        // Step 1: eigen kracht.
        T { schedule: "Altijd beschikbaar op de website", apply: "Doe de test op de website; u hoeft zich niet aan te melden.", ..t("Zelftest 'Hoe staat mijn geld ervoor?'", "Een korte test die laat zien waar u zelf kunt besparen en wat u zelf kunt regelen met uw geld en rekeningen.", 1, &[D::Financien], false, 4, City) },
        T { schedule: "Eerste dinsdag van de maand, 19.30–21.00 uur", apply: "Kom gewoon langs.", ..t("Workshop 'Zelf je zaken regelen'", "Leer zelf brieven, formulieren en digitale zaken te regelen. Na drie avonden kunt u het zelf.", 1, &[D::InstrumenteleAdl, D::Financien], true, 0, District) },
        T { schedule: "Altijd beschikbaar", apply: "Leen de boekjes gratis in de bibliotheek.", ..t("Zelfhulpboekjes gezond leven", "Boekjes met oefeningen om fit te blijven en beter te slapen, in eenvoudige taal.", 1, &[D::LichamelijkeGezondheid, D::GeestelijkeGezondheid], false, 0, City) },
        // Step 2: sociaal netwerk.
        T { apply: "Meld u aan bij de sociaal makelaar of op de buurtmarktplaats.", schedule: "Op afspraak", ..t("Burenhulp via de buurtmarktplaats", "Vraag of bied hulp aan mensen in uw buurt: samen boodschappen doen, een lift naar de dokter, een klusje.", 2, &[D::SociaalNetwerk, D::InstrumenteleAdl], false, 7, District) },
        T { apply: "Vraag het wijkteam of de sociaal makelaar.", capacity: "Start binnen 4 weken", ..t("Eigen Kracht-conferentie", "U maakt zelf een plan met familie, vrienden en buren. Een onafhankelijke coördinator helpt bij het organiseren.", 2, &[D::SociaalNetwerk, D::HuiselijkeRelaties], false, 0, City) },
        T { apply: "Bel of mail het steunpunt.", ..t("Mantelzorgmaatje", "Een vrijwilliger neemt af en toe de zorg over, zodat u als mantelzorger even tijd voor uzelf hebt.", 2, &[D::SociaalNetwerk, D::HuiselijkeRelaties], false, 8, District) },
        // Step 3: algemene voorziening (collective, free access).
        T { cost: "4,50", unit: "maaltijd", schedule: "Elke woensdag, 17.30–19.30 uur", apply: "Meld u uiterlijk dinsdag aan bij het buurthuis; kom daarna gewoon.", eligibility: "Voor iedereen uit de buurt die graag samen eet.", capacity: "30 plaatsen", ..t("Buurtmaaltijd", "Samen eten in het buurthuis: een warme maaltijd en gezelligheid. Je eet niet alleen en leert je buren kennen.", 3, &[D::SociaalNetwerk, D::InstrumenteleAdl, D::MaatschappelijkeParticipatie], true, 1, Neighbourhood) },
        T { cost: "1,50", unit: "keer", schedule: "Elke dinsdag en donderdag, 10.00–12.00 uur", apply: "Kom gewoon binnen.", ..t("Koffieochtend", "Een kop koffie en een praatje met buurtgenoten. Ontmoeten zonder verplichtingen.", 3, &[D::SociaalNetwerk, D::MaatschappelijkeParticipatie, D::Tijdsbesteding], true, 1, Neighbourhood) },
        T { schedule: "Maandag tot en met vrijdag, 10.00–16.00 uur", apply: "Loop gewoon binnen.", ..t("Huiskamer van de buurt", "Een warme plek in het buurthuis om even binnen te komen, de krant te lezen of een spelletje te doen met buurtgenoten.", 3, &[D::SociaalNetwerk, D::Tijdsbesteding], true, 1, Neighbourhood) },
        T { cost: "2,00", unit: "keer", schedule: "Elke maandag, 10.00 uur", apply: "Kom naar het wijkcentrum.", eligibility: "Voor ouderen en mensen die rustig willen bewegen.", ages: (Some(55), None), ..t("Beweegclub voor ouderen", "Samen bewegen op een stoel en staand: goed voor uw heupen, knieën en evenwicht. Rustig tempo, gezellige groep.", 3, &[D::LichamelijkeGezondheid, D::SociaalNetwerk], true, 0, District) },
        T { cost: "0,75", unit: "keer", schedule: "Elke vrijdag, 14.00 uur", apply: "Kom naar het wijkcentrum.", ..t("Wandelgroep", "Samen een uur wandelen door de wijk, in een rustig tempo. Daarna koffie.", 3, &[D::LichamelijkeGezondheid, D::SociaalNetwerk], true, 0, District) },
        T { cost: "3,00", unit: "keer", schedule: "Elke donderdag, 9.30 uur", apply: "Bel een dag van tevoren.", eligibility: "Voor wie moeilijk zelf bij de winkel komt.", ..t("Boodschappenbus", "Een busje haalt u op, rijdt naar de supermarkt en brengt u met uw boodschappen weer thuis.", 3, &[D::InstrumenteleAdl, D::MaatschappelijkeParticipatie, D::LichamelijkeGezondheid], true, 7, District) },
        T { schedule: "Maandag tot en met vrijdag, 9.00–12.00 uur", apply: "Kom langs zonder afspraak.", ..t("Inloopspreekuur welzijn", "Met al uw vragen over geld, wonen, zorg of eenzaamheid kunt u hier terecht. Wij denken met u mee.", 3, &[D::Financien, D::Huisvesting, D::SociaalNetwerk, D::InstrumenteleAdl], true, 0, District) },
        T { cost: "1,00", unit: "keer", schedule: "Tweede zaterdag van de maand, 10.00–13.00 uur", apply: "Neem uw kapotte spullen mee.", ..t("Repair Café", "Samen met handige vrijwilligers repareert u uw kapotte spullen. Gezellig en het scheelt geld.", 3, &[D::Financien, D::MaatschappelijkeParticipatie], true, 1, District) },
        T { schedule: "Elke woensdag, 13.30–15.00 uur", apply: "Kom gewoon langs.", ..t("Taalcafé", "Nederlands oefenen in een ontspannen groep. Praten over gewone dingen met taalvrijwilligers.", 3, &[D::MaatschappelijkeParticipatie, D::WerkOpleiding], true, 0, District) },
        T { schedule: "Dinsdag, woensdag en vrijdag, 14.00–18.00 uur", ages: (Some(10), Some(23)), apply: "Kom langs in het jongerencentrum.", ..t("Jongerenwerk", "Een plek voor jongeren om te chillen, te sporten en met een jongerenwerker te praten over school, thuis of werk.", 3, &[D::Tijdsbesteding, D::WerkOpleiding, D::SociaalNetwerk], true, 1, District) },
        T { schedule: "Elke dinsdag, 9.00–11.30 uur", ages: (Some(0), Some(4)), apply: "Kom langs met uw kind.", ..t("Ouder-kindochtend", "Ouders met jonge kinderen ontmoeten elkaar, kinderen spelen samen. Vragen over opvoeden kunt u stellen aan de opvoedcoach.", 3, &[D::HuiselijkeRelaties, D::SociaalNetwerk], true, 3, District) },
        T { schedule: "Elke donderdag, 13.00–16.00 uur", apply: "Bel of kom langs.", ..t("Computerhulp-inloop", "Hulp bij uw telefoon, tablet of computer: DigiD, mailen, videobellen met familie.", 3, &[D::InstrumenteleAdl, D::MaatschappelijkeParticipatie], true, 7, District) },
        T { schedule: "Maandag en donderdag, 13.00–16.00 uur", apply: "Kom langs bij het steunpunt.", ..t("Lotgenotengroep mantelzorgers", "Mantelzorgers delen hun ervaringen en tips. Even op adem komen met mensen die het begrijpen.", 3, &[D::SociaalNetwerk, D::GeestelijkeGezondheid], true, 8, City) },
        T { schedule: "Elke woensdagmiddag", ages: (Some(4), Some(12)), apply: "Kom langs; lenen is gratis.", ..t("Speel-o-theek", "Leen speelgoed en spellen voor uw kinderen, net als boeken in de bibliotheek.", 3, &[D::HuiselijkeRelaties, D::Financien], true, 1, District) },
        // Step 4: lichte ondersteuning (individual, no decision).
        T { apply: "Bel het wijkteam of kom naar het inloopspreekuur.", capacity: "Eerste gesprek binnen 5 werkdagen", form: "ondersteunen", ..t("Wijkteam: een generalist denkt mee", "Een vaste contactpersoon van het wijkteam kijkt samen met u naar uw hele situatie en maakt een plan.", 4, &[D::SociaalNetwerk, D::Financien, D::Huisvesting, D::HuiselijkeRelaties, D::GeestelijkeGezondheid], false, 0, District) },
        T { cost: "45,00", unit: "uur", apply: "Aanmelden via het wijkteam of zelf bellen.", capacity: "Wachttijd ongeveer 2 weken", form: "ondersteunen", ..t("Algemeen maatschappelijk werk", "Gesprekken met een maatschappelijk werker over problemen thuis, met geld of met instanties.", 4, &[D::HuiselijkeRelaties, D::Financien, D::GeestelijkeGezondheid], false, 0, District) },
        T { cost: "25,00", unit: "uur", apply: "Bel of mail; wij komen bij u thuis.", capacity: "Start binnen 3 weken", form: "ondersteunen", ..t("Thuisadministratie", "Een getrainde vrijwilliger helpt u thuis om uw post, rekeningen en formulieren op orde te krijgen.", 4, &[D::Financien, D::InstrumenteleAdl], false, 4, District) },
        T { cost: "6,75", unit: "maaltijd", apply: "Bel de maaltijdservice; u betaalt zelf de maaltijd.", schedule: "Elke dag tussen 11.00 en 13.00 uur bezorgd", form: "ondersteunen", ..t("Maaltijdservice aan huis (tafeltje-dekje)", "Warme maaltijden thuis bezorgd, voor wie zelf niet meer kan koken.", 4, &[D::InstrumenteleAdl, D::LichamelijkeGezondheid], false, 2, City) },
        T { cost: "60,00", unit: "traject", apply: "Vraag het wijkteam of bel het consultatiebureau.", form: "ondersteunen", ages: (Some(0), Some(18)), ..t("Opvoedondersteuning", "Een opvoedcoach komt een paar keer bij u thuis om te helpen met vragen over opvoeden.", 4, &[D::HuiselijkeRelaties], false, 3, District) },
        T { cost: "40,00", unit: "uur", apply: "Bel het steunpunt voor een gesprek.", form: "ondersteunen", ..t("Mantelzorgconsulent", "Een consulent kijkt met u als mantelzorger wat u nodig hebt om het vol te houden.", 4, &[D::SociaalNetwerk, D::GeestelijkeGezondheid], false, 8, City) },
        T { cost: "350,00", unit: "traject", apply: "Aanmelden via het wijkteam of zelf bellen.", capacity: "Wachttijd ongeveer 4 weken", form: "interveniëren", ..t("Schuldhulpverlening", "Samen uw schulden op een rij zetten en afspraken maken met schuldeisers.", 4, &[D::Financien], false, 4, City) },
        // Step 5: maatwerkvoorziening (individual, by decision).
        T { cost: "32,50", unit: "uur", apply: "Via het wijkteam: na een gesprek beslist de gemeente.", capacity: "Wachttijd ongeveer 6 weken", ..t("Huishoudelijke hulp", "Hulp bij het schoonhouden van uw huis als u dat zelf niet meer kunt en niemand het voor u kan doen.", 5, &[D::InstrumenteleAdl, D::Huisvesting], false, 2, District) },
        T { cost: "95,00", unit: "maand", apply: "Via het wijkteam: na een gesprek beslist de gemeente.", capacity: "Levertijd ongeveer 4 weken", form: "ondersteunen", ..t("Scootmobiel", "Een scootmobiel in bruikleen via de Wmo, voor wie niet meer goed kan lopen en zich verder niet kan verplaatsen.", 5, &[D::LichamelijkeGezondheid, D::MaatschappelijkeParticipatie], false, 2, City) },
        T { cost: "45,00", unit: "maand", apply: "Via het wijkteam.", ..t("Rolstoel", "Een rolstoel in bruikleen via de Wmo, voor dagelijks gebruik.", 5, &[D::LichamelijkeGezondheid], false, 2, City) },
        T { cost: "2500,00", unit: "traject", apply: "Via het wijkteam; een ergotherapeut komt kijken.", ..t("Woningaanpassing", "Aanpassingen in uw huis, zoals een traplift of drempels weg, zodat u thuis kunt blijven wonen.", 5, &[D::Huisvesting, D::LichamelijkeGezondheid, D::BasaleAdl], false, 6, City) },
        T { cost: "65,00", unit: "uur", apply: "Via het wijkteam.", capacity: "Wachttijd ongeveer 8 weken", form: "ondersteunen", ..t("Individuele begeleiding", "Een begeleider helpt u thuis om uw dag te structureren en zelfstandig te blijven wonen.", 5, &[D::GeestelijkeGezondheid, D::InstrumenteleAdl, D::Tijdsbesteding], false, 5, District) },
        T { cost: "70,00", unit: "dagdeel", apply: "Via het wijkteam.", ..t("Dagbesteding", "Een zinvolle dag op een vaste plek met begeleiding, voor wie dat niet zelf kan invullen.", 5, &[D::Tijdsbesteding, D::MaatschappelijkeParticipatie], false, 9, District) },
        T { cost: "85,00", unit: "uur", apply: "Via het wijkteam of de huisarts.", ages: (Some(0), Some(17)), capacity: "Wachttijd ongeveer 10 weken", form: "interveniëren", ..t("Ambulante jeugdhulp", "Jeugdhulp bij u thuis voor kinderen en ouders, als lichtere hulp niet genoeg is.", 5, &[D::HuiselijkeRelaties, D::GeestelijkeGezondheid], false, 3, District) },
        T { cost: "180,00", unit: "dag", apply: "Via het wijkteam; de gemeente beslist.", capacity: "Wachtlijst", form: "beschermen", ..t("Beschermd wonen", "Wonen met begeleiding dag en nacht, voor mensen met psychische problemen die (nog) niet zelfstandig kunnen wonen.", 5, &[D::GeestelijkeGezondheid, D::Huisvesting], false, 5, City) },
        T { cost: "2,50", unit: "keer", apply: "Via het wijkteam.", ..t("Regiotaxi-pas (Wmo-vervoer)", "Met de pas reist u met de regiotaxi tegen een lager tarief, als u geen ander vervoer hebt.", 5, &[D::MaatschappelijkeParticipatie, D::LichamelijkeGezondheid], false, 2, City) },
        // Volunteer opportunities: ways to give.
        T { volunteering: true, schedule: "Eén ochtend per week, in overleg", apply: "Meld u aan bij de vrijwilligerscentrale.", ..t("Voorlezen op de basisschool", "Lees kinderen in groep 3 en 4 voor uit een boek. Kinderen genieten ervan en u bent onder de mensen.", 3, &[D::MaatschappelijkeParticipatie, D::SociaalNetwerk], true, 7, School) },
        T { volunteering: true, schedule: "Woensdagmiddag, 14.00–17.30 uur", apply: "Meld u aan bij het buurthuis.", ..t("Maaltijd koken in het buurthuis", "Kook mee voor de buurtmaaltijd. Samen koken, samen eten, en iets betekenen voor uw buren.", 3, &[D::MaatschappelijkeParticipatie, D::SociaalNetwerk], true, 1, Neighbourhood) },
        T { volunteering: true, apply: "Meld u aan bij de vrijwilligerscentrale.", ..t("Maatje voor een oudere", "Ga eens per week op bezoek bij een oudere buurtgenoot: een praatje, een wandeling, samen koffie.", 3, &[D::SociaalNetwerk], false, 7, District) },
        T { volunteering: true, apply: "Meld u aan bij het buurthuis.", ..t("Tuinieren in de buurtmoestuin", "Samen groenten kweken in de moestuin van de buurt. De oogst gaat naar de buurtmaaltijd.", 3, &[D::MaatschappelijkeParticipatie, D::Tijdsbesteding], true, 1, District) },
        T { volunteering: true, apply: "Meld u aan bij de vrijwilligerscentrale.", ..t("Computerhulp geven aan ouderen", "Help ouderen met hun telefoon of tablet: videobellen, DigiD, foto's sturen.", 3, &[D::MaatschappelijkeParticipatie], true, 7, District) },
        T { volunteering: true, apply: "Meld u aan bij de vrijwilligerscentrale.", ..t("Wandelmaatje", "Wandel wekelijks met iemand die niet alleen op pad durft of kan.", 3, &[D::SociaalNetwerk, D::LichamelijkeGezondheid], false, 7, District) },
        T { volunteering: true, apply: "Meld u aan bij het buurthuis.", ..t("Gastvrouw of gastheer bij de koffieochtend", "Ontvang bezoekers, schenk koffie en luister naar hun verhalen.", 3, &[D::SociaalNetwerk, D::MaatschappelijkeParticipatie], true, 1, District) },
        T { volunteering: true, apply: "Meld u aan bij de vrijwilligerscentrale.", ..t("Klussen bij buren", "Help buren met kleine klussen in en om het huis: een lamp ophangen, een kastje repareren.", 2, &[D::Huisvesting, D::SociaalNetwerk], false, 7, District) },
        T { volunteering: true, apply: "Meld u aan bij het taalcafé.", ..t("Taalmaatje", "Oefen een uur per week Nederlands met iemand die de taal leert.", 3, &[D::MaatschappelijkeParticipatie], false, 0, City) },
        // Middelengebruik (alcohol, drugs, gokken) and justitie, from self-help to maatwerk.
        T { schedule: "Altijd beschikbaar op de website", apply: "Doe de test op de website; anoniem en gratis.", ..t("Zelftest 'Drink ik te veel?'", "Een korte, anonieme test over uw drinken, blowen of gokken, met tips om zelf te minderen.", 1, &[D::Middelengebruik], false, 5, City) },
        T { schedule: "Elke maandag, 19.30–21.00 uur", apply: "Kom gewoon langs; u hoeft niets te vertellen als u dat niet wilt.", eligibility: "Voor wie minder wil drinken, blowen of gokken, en voor hun naasten.", ages: (Some(18), None), ..t("Inloopgroep 'Minder drinken, meer leven'", "Lotgenoten praten over minderen of stoppen met alcohol, drugs of gokken. Onder leiding van een ervaringsdeskundige.", 3, &[D::Middelengebruik, D::SociaalNetwerk], true, 5, City) },
        T { cost: "55,00", unit: "uur", apply: "Bel zelf of vraag het wijkteam of de huisarts.", capacity: "Eerste gesprek binnen 2 weken", form: "ondersteunen", ..t("Verslavingsconsulent", "Gesprekken over uw gebruik van alcohol, drugs of medicijnen, of over gokken. Samen maakt u een plan om te minderen of te stoppen.", 4, &[D::Middelengebruik, D::GeestelijkeGezondheid], false, 5, District) },
        T { cost: "75,00", unit: "uur", apply: "Via het wijkteam: na een gesprek beslist de gemeente.", capacity: "Wachttijd ongeveer 6 weken", form: "interveniëren", ..t("Ambulante begeleiding bij verslaving", "Een begeleider komt bij u thuis en helpt u om uw dag, uw geld en uw huis op orde te houden terwijl u werkt aan uw verslaving.", 5, &[D::Middelengebruik, D::InstrumenteleAdl, D::GeestelijkeGezondheid], false, 5, City) },
        T { schedule: "Dinsdag en donderdag, 9.00–12.00 uur", apply: "Kom langs zonder afspraak; neem uw brieven mee.", ..t("Juridisch spreekuur (sociaal raadslieden)", "Gratis advies over een boete, een brief van de rechtbank, een conflict met een instantie of uw rechten als huurder.", 3, &[D::Justitie, D::Financien], true, 0, District) },
        T { apply: "Meld u aan bij het buurthuis of via de sociaal makelaar.", capacity: "Eerste gesprek binnen 3 weken", ..t("Buurtbemiddeling", "Ruzie of overlast met de buren? Twee getrainde vrijwilligers helpen u en uw buren om samen een oplossing te vinden, voordat politie of rechter nodig is.", 3, &[D::SociaalNetwerk, D::Justitie, D::Huisvesting], false, 1, District) },
        T { cost: "1200,00", unit: "traject", apply: "Via het wijkteam, of de reclassering meldt u aan.", capacity: "Start binnen 2 weken na vrijlating", form: "ondersteunen", ..t("Nazorg na detentie", "Hulp na de gevangenis: een identiteitsbewijs, een plek om te wonen, inkomen en schulden, werk of dagbesteding. Zo begint u opnieuw.", 4, &[D::Justitie, D::Huisvesting, D::Financien], false, 0, City) },
        T { volunteering: true, apply: "Meld u aan bij de vrijwilligerscentrale.", schedule: "Eén keer per week, een jaar lang", ..t("Maatje voor iemand na detentie", "Wees een vast maatje voor iemand die net uit de gevangenis komt: samen koffie drinken, afspraken nakomen, een nieuwe start maken.", 3, &[D::Justitie, D::SociaalNetwerk], false, 7, City) },
        // An ended service: the map keeps it (the page says so), the search hides it.
        T { status: "beeindigd", schedule: "Was elke vrijdagmiddag", apply: "De soos is gestopt. Kom naar de koffieochtend in uw buurt.", ..t("Ouderensoos De Linde", "De ouderensoos in De Linde is gestopt. Voor ontmoeting kunt u terecht bij de koffieochtend in het buurthuis.", 3, &[D::SociaalNetwerk, D::Tijdsbesteding], true, 1, City) },
        // Added later (after the ended service, so earlier ids stay put): grief, and handicraft as a way to give.
        T { schedule: "Eerste donderdag van de maand, 14.00–16.00 uur", apply: "Kom gewoon langs; u hoeft niets te vertellen als u dat niet wilt.", ..t("Rouwcafé", "Praten met anderen die ook iemand hebben verloren. Een kop koffie, een luisterend oor en begrip voor uw verdriet.", 3, &[D::GeestelijkeGezondheid, D::SociaalNetwerk], true, 0, City) },
        T { volunteering: true, schedule: "Elke maandagmiddag, 13.30–16.00 uur", apply: "Kom langs in het buurthuis of meld u aan bij de vrijwilligerscentrale.", ..t("Handwerkcafé: breien en haken voor een ander", "Samen breien en haken voor de voedselbank en het ziekenhuis. Leer het anderen, ook op de basisschool, of brei gewoon mee. Het buurthuis is rolstoeltoegankelijk.", 3, &[D::SociaalNetwerk, D::MaatschappelijkeParticipatie], true, 1, City) },
    ]
}

fn domains(ds: &[D]) -> Vec<String> {
    ds.iter().map(|d| d.as_str().to_owned()).collect()
}

/// The social map and wijzer content for the municipality.
pub fn kaart(m: &Municipality) -> Kaart {
    let organizations = m
        .providers
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let slug = crate::names::slug(&p.name);
            OrganizationSpec {
                provider: i,
                description: format!("{} werkt in Proefstad ({}).", p.name, p.kind),
                website: format!("https://{slug}.proefstad.example"),
                email: format!("info@{slug}.proefstad.example"),
            }
        })
        .collect();

    let mut locations = vec![LocationSpec {
        name: "Stadhuis Proefstad".into(),
        address: "Raadhuisplein 1".into(),
        postcode: "1010AA".into(),
        city: crate::CITY.into(),
        district: None,
    }];
    let mut district_centre = Vec::new();
    let mut buurthuis = Vec::new();
    let mut school = Vec::new();
    for d in &m.districts {
        district_centre.push(locations.len());
        let pc4 = d.neighbourhoods.first().map(|n| n.pc4_base).unwrap_or(1011);
        locations.push(LocationSpec {
            name: format!("Wijkcentrum {}", d.name),
            address: format!("Wijkplein {}", 1 + district_centre.len()),
            postcode: format!("{pc4}AB"),
            city: crate::CITY.into(),
            district: Some(d.code.to_string()),
        });
        let mut bh = Vec::new();
        let mut sc = Vec::new();
        for n in &d.neighbourhoods {
            bh.push(locations.len());
            locations.push(LocationSpec {
                name: format!("Buurthuis {}", n.name),
                address: format!("Buurtweg {}", 10 + n.index),
                postcode: format!("{}BC", n.pc4_base + 1),
                city: crate::CITY.into(),
                district: Some(d.code.to_string()),
            });
            sc.push(locations.len());
            locations.push(LocationSpec {
                name: format!("Basisschool {}", n.name),
                address: format!("Schoolstraat {}", 2 + n.index),
                postcode: format!("{}CD", n.pc4_base + 2),
                city: crate::CITY.into(),
                district: Some(d.code.to_string()),
            });
        }
        buurthuis.push(bh);
        school.push(sc);
    }

    let mut services = Vec::new();
    for tpl in templates() {
        let base = ServiceDraft {
            name: tpl.name.into(),
            description: tpl.desc.into(),
            domains: domains(tpl.domains),
            step: tpl.step.to_string(),
            form: tpl.form.into(),
            reach: if tpl.collective {
                "collectief"
            } else {
                "individueel"
            }
            .into(),
            access: if tpl.step == 5 { "beschikking" } else { "vrij" }.into(),
            cost: tpl.cost.into(),
            cost_unit: tpl.unit.into(),
            districts: vec![],
            schedule: tpl.schedule.into(),
            eligibility: tpl.eligibility.into(),
            min_age: tpl.ages.0.map(|a| a.to_string()).unwrap_or_default(),
            max_age: tpl.ages.1.map(|a| a.to_string()).unwrap_or_default(),
            how_to_apply: tpl.apply.into(),
            capacity: tpl.capacity.into(),
            phone: format!("0999-{:06}", 100_000 + services.len() * 37),
            email: String::new(),
            website: format!(
                "https://{}.proefstad.example/aanbod",
                crate::names::slug(&m.providers[tpl.provider].name)
            ),
            status: tpl.status.into(),
            volunteering: tpl.volunteering,
        };
        match tpl.spread {
            // The carers' group meets in turn at every district centre: a
            // service with several places.
            City if tpl.name == "Lotgenotengroep mantelzorgers" => services.push(ServiceSpec {
                provider: tpl.provider,
                draft: base,
                locations: district_centre.clone(),
            }),
            City => services.push(ServiceSpec {
                provider: tpl.provider,
                draft: base,
                locations: vec![0],
            }),
            District => {
                for (di, d) in m.districts.iter().enumerate() {
                    let mut draft = base.clone();
                    draft.name = format!("{} {}", tpl.name, d.name);
                    draft.districts = vec![d.code.to_string()];
                    services.push(ServiceSpec {
                        provider: tpl.provider,
                        draft,
                        locations: vec![district_centre[di]],
                    });
                }
            }
            Neighbourhood | School => {
                for (di, d) in m.districts.iter().enumerate() {
                    for (ni, n) in d.neighbourhoods.iter().enumerate() {
                        let mut draft = base.clone();
                        let place = if tpl.spread == School {
                            school[di][ni]
                        } else {
                            buurthuis[di][ni]
                        };
                        draft.name = format!("{} {}", tpl.name, n.name);
                        draft.districts = vec![d.code.to_string()];
                        // One meal in the Buitengebied is paused for the winter:
                        // the map shows temporarily closed services too.
                        if tpl.name == "Buurtmaaltijd" && n.name == "Vennen" {
                            draft.status = "tijdelijk_gesloten".into();
                        }
                        services.push(ServiceSpec {
                            provider: tpl.provider,
                            draft,
                            locations: vec![place],
                        });
                    }
                }
            }
        }
    }
    Kaart {
        organizations,
        locations,
        services,
        wijzer: wijzer(),
    }
}

fn opt(key: &str, label: &str, concern: bool) -> SituationOption {
    SituationOption {
        key: key.into(),
        label: label.into(),
        concern,
    }
}

fn three(key: &str, domain: D, text: &str) -> SituationQuestion {
    SituationQuestion {
        key: key.into(),
        domain,
        text: text.into(),
        options: vec![
            opt("goed", "Dat gaat goed", false),
            opt("soms", "Soms lastig", true),
            opt("moeilijk", "Dat lukt niet (meer)", true),
        ],
    }
}

fn words(ws: &[&str]) -> Vec<String> {
    ws.iter().map(|w| (*w).to_owned()).collect()
}

fn step(n: u8) -> LadderStep {
    LadderStep::new(n).unwrap_or_else(|_| unreachable!("constant step"))
}

fn topic(key: &str, label: &str, ds: &[D], kw: &[&str]) -> Topic {
    Topic {
        key: key.into(),
        label: label.into(),
        domains: ds.to_vec(),
        keywords: words(kw),
    }
}

fn rule(key: &str, when: Condition, then: RuleAction) -> Rule {
    Rule {
        key: key.into(),
        when,
        then,
    }
}

fn tip(title: &str, text: &str) -> RuleAction {
    RuleAction::Tip {
        title: title.into(),
        text: text.into(),
    }
}

fn network(title: &str, text: &str) -> RuleAction {
    RuleAction::Network {
        title: title.into(),
        text: text.into(),
    }
}

fn services(ds: &[D], ws: &[&str], collective_only: bool, max: u8) -> RuleAction {
    RuleAction::Services {
        domains: ds.to_vec(),
        words: words(ws),
        collective_only,
        max_step: step(max),
    }
}

/// The wijzer's starting content, modelled on Almere's *eigen kracht wijzer*.
pub fn wijzer() -> WijzerContent {
    let c = |f: fn(&mut Condition)| {
        let mut c = Condition::default();
        f(&mut c);
        c
    };
    WijzerContent {
        topics: vec![
            topic("eten", "Eten en koken", &[D::InstrumenteleAdl, D::SociaalNetwerk], &["maaltijd", "eten", "koken", "tafeltje-dekje", "boodschappen"]),
            topic("bewegen", "Lopen, bewegen en vervoer", &[D::LichamelijkeGezondheid, D::MaatschappelijkeParticipatie], &["scootmobiel", "rolstoel", "lopen", "heup", "knie", "vervoer", "taxi"]),
            topic("contact", "Contact met anderen", &[D::SociaalNetwerk, D::MaatschappelijkeParticipatie], &["eenzaam", "alleen", "contact", "praatje", "mensen", "geen vrienden", "geen familie", "niemand"]),
            topic("gevoel", "Hoe u zich voelt", &[D::GeestelijkeGezondheid, D::SociaalNetwerk], &["verdriet", "rouw", "overleden", "somber", "depressief", "angstig", "piekeren", "eenzaam", "huilen", "moe"]),
            topic("huishouden", "Het huishouden", &[D::InstrumenteleAdl, D::Huisvesting], &["huishouden", "schoonmaken", "poetsen", "was"]),
            topic("geld", "Geld en post", &[D::Financien], &["geld", "geen geld", "schuld", "rekening", "post", "formulier", "brief", "rondkomen", "niet rondkomen"]),
            topic("opvoeden", "Opvoeden en gezin", &[D::HuiselijkeRelaties], &["kind", "opvoeding", "puber", "ruzie", "gezin"]),
            topic("zorgen", "Zorgen voor een ander", &[D::SociaalNetwerk, D::GeestelijkeGezondheid], &["mantelzorg", "zorgen", "overbelast"]),
            topic("dag", "Een zinvolle dag", &[D::Tijdsbesteding, D::MaatschappelijkeParticipatie, D::WerkOpleiding], &["werk", "geen werk", "dagbesteding", "vrijwilliger", "verveel", "zinvol"]),
            topic("middelen", "Alcohol, drugs of gokken", &[D::Middelengebruik], &["alcohol", "drinken", "drank", "drugs", "blowen", "gokken", "verslaving", "verslaafd"]),
            topic("justitie", "Politie, boete of rechter", &[D::Justitie], &["politie", "boete", "rechter", "rechtbank", "gevangenis", "detentie", "advocaat", "burenruzie"]),
        ],
        questions: vec![
            SituationQuestion { key: "alleen_eten".into(), domain: D::SociaalNetwerk, text: "Eet u vaak alleen?".into(), options: vec![opt("nee", "Nee, meestal met anderen", false), opt("soms", "Soms", false), opt("vaak", "Ja, vaak", true)] },
            SituationQuestion { key: "gezelschap".into(), domain: D::SociaalNetwerk, text: "Zou u vaker mensen willen zien?".into(), options: vec![opt("nee", "Nee, het is goed zo", false), opt("ja", "Ja, graag", true)] },
            three("koken", D::InstrumenteleAdl, "Kunt u zelf koken en boodschappen doen?"),
            three("huishouden", D::InstrumenteleAdl, "Lukt het huishouden?"),
            three("lopen", D::LichamelijkeGezondheid, "Kunt u lopen en buiten komen?"),
            three("eropuit", D::MaatschappelijkeParticipatie, "Komt u buiten de deur: winkel, vereniging, familie?"),
            three("rekeningen", D::Financien, "Kunt u uw rekeningen op tijd betalen?"),
            three("thuis", D::HuiselijkeRelaties, "Gaat het goed thuis, met uw partner of kinderen?"),
            three("dag_invullen", D::Tijdsbesteding, "Hebt u genoeg te doen op een dag?"),
            three("stemming", D::GeestelijkeGezondheid, "Voelt u zich de laatste tijd goed?"),
            three("woning", D::Huisvesting, "Kunt u goed in uw huis wonen?"),
            three("middelen", D::Middelengebruik, "Kunt u zelf bepalen hoeveel u drinkt, gebruikt of gokt?"),
            three("justitie", D::Justitie, "Komt u rond met uw zaken bij politie, justitie of een boete?"),
        ],
        interests: vec![
            Interest { key: "lezen".into(), label: "Lezen".into(), keywords: words(&["lezen", "voorlezen", "boek"]) },
            Interest { key: "koken".into(), label: "Koken".into(), keywords: words(&["koken", "maaltijd"]) },
            Interest { key: "mensen".into(), label: "Onder de mensen zijn".into(), keywords: words(&["mensen", "ontvang", "koffie", "bezoek", "gastvrouw"]) },
            Interest { key: "tuinieren".into(), label: "Tuinieren".into(), keywords: words(&["tuin", "moestuin", "tuinieren"]) },
            Interest { key: "techniek".into(), label: "Technologie en computers".into(), keywords: words(&["computer", "tablet", "telefoon"]) },
            Interest { key: "wandelen".into(), label: "Wandelen".into(), keywords: words(&["wandel", "wandelen"]) },
            Interest { key: "luisteren".into(), label: "Luisteren en praten".into(), keywords: words(&["praatje", "luister", "maatje", "oefen"]) },
            Interest { key: "klussen".into(), label: "Klussen".into(), keywords: words(&["klus", "repareren"]) },
            Interest { key: "handwerk".into(), label: "Handwerk: breien, haken, naaien".into(), keywords: words(&["breien", "haken", "handwerk", "naaien"]) },
        ],
        network: vec![
            NetworkOption { key: "familie".into(), label: "Familie".into() },
            NetworkOption { key: "buren".into(), label: "Buren".into() },
            NetworkOption { key: "vrienden".into(), label: "Vrienden of kennissen".into() },
            NetworkOption { key: "vereniging".into(), label: "Kerk, moskee of vereniging".into() },
        ],
        stories: vec![
            Story { key: "truus".into(), title: "Truus eet weer samen".into(), text: "Truus (78) vroeg om maaltijden aan huis. Nu eet ze elke woensdag in het buurthuis. 'Het eten is lekker, maar het praten is nog fijner.'".into(), topics: words(&["eten", "contact"]) },
            Story { key: "riet".into(), title: "Riet leest voor".into(), text: "Riet (71) heeft een slechte heup en vroeg om een scootmobiel. Ze wilde vooral onder de mensen zijn. Nu leest ze elke dinsdag voor op de school om de hoek.".into(), topics: words(&["bewegen", "contact", "dag"]) },
            Story { key: "ahmed".into(), title: "Ahmed en de brieven".into(), text: "Ahmed kreeg veel brieven die hij niet begreep. Na drie avonden workshop regelt hij zijn post nu zelf, met zijn dochter als hulp.".into(), topics: words(&["geld"]) },
            Story { key: "anja".into(), title: "Anja vraagt haar buren".into(), text: "Anja zorgt voor haar man. Op de buurtmarktplaats vond ze een buurvrouw die elke week een middag oppast. Zo heeft Anja tijd voor zichzelf.".into(), topics: words(&["zorgen", "huishouden"]) },
        ],
        rules: vec![
            rule("tip_samen_koken", c(|c| c.topics = words(&["eten"])), tip("Kook samen of kook een grote pan", "Kook een grote pan en vries porties in. Of spreek af met een buur om om de beurt te koken.")),
            rule("netwerk_eten", c(|c| c.topics = words(&["eten"])), network("Vraag iemand om mee te eten", "Vraag familie, een buur of een vriend om een vaste avond samen te eten. Dat is gezellig voor allebei.")),
            rule("samen_eten", c(|c| { c.topics = words(&["eten"]); c.concerns = words(&["alleen_eten", "gezelschap"]); }), services(&[D::SociaalNetwerk], &["samen eten", "maaltijd"], true, 3)),
            rule("eten_thuis", c(|c| { c.topics = words(&["eten"]); c.concerns = words(&["koken"]); }), services(&[D::InstrumenteleAdl], &["maaltijd", "boodschappen"], false, 4)),
            rule("ontmoeten", c(|c| c.likes = words(&["mensen"])), services(&[D::SociaalNetwerk], &["ontmoeten", "samen"], true, 3)),
            rule("ontmoeten_concern", c(|c| c.concerns = words(&["gezelschap", "alleen_eten", "eropuit"])), services(&[D::SociaalNetwerk], &["ontmoeten", "samen"], true, 3)),
            rule("tip_bewegen", c(|c| c.topics = words(&["bewegen"])), tip("Blijf in beweging", "Loop elke dag een klein stukje, ook binnen. Vraag de fysiotherapeut om oefeningen voor thuis.")),
            rule("netwerk_vervoer", c(|c| c.topics = words(&["bewegen"])), network("Vraag een lift", "Vraag familie of buren of ze u af en toe ergens heen kunnen brengen. Op de buurtmarktplaats bieden mensen ook een lift aan.")),
            rule("bewegen_collectief", c(|c| { c.topics = words(&["bewegen"]); c.concerns = words(&["lopen", "eropuit"]); }), services(&[D::LichamelijkeGezondheid, D::MaatschappelijkeParticipatie], &["bewegen", "boodschappenbus"], true, 3)),
            rule("huishouden_tip", c(|c| c.topics = words(&["huishouden"])), tip("Verdeel het werk", "Doe elke dag één klusje. Vraag huisgenoten of familie om vaste taken.")),
            rule("huishouden_hulp", c(|c| { c.topics = words(&["huishouden"]); c.concerns = words(&["huishouden"]); }), services(&[D::InstrumenteleAdl], &["huishouden"], false, 5)),
            rule("geld_tip", c(|c| c.topics = words(&["geld"])), tip("Maak een overzicht", "Zet al uw vaste lasten en inkomsten op een rij. Open elke dag uw post.")),
            rule("geld_hulp", c(|c| c.topics = words(&["geld"])), services(&[D::Financien], &["geld", "formulieren", "schulden", "rekeningen"], false, 4)),
            rule("opvoeden", c(|c| c.topics = words(&["opvoeden"])), services(&[D::HuiselijkeRelaties], &["opvoeden"], false, 4)),
            rule("mantelzorg", c(|c| c.topics = words(&["zorgen"])), services(&[D::SociaalNetwerk], &["mantelzorg"], false, 4)),
            rule("dag", c(|c| c.topics = words(&["dag"])), services(&[D::Tijdsbesteding, D::MaatschappelijkeParticipatie], &[], true, 3)),
            rule("middelen_tip", c(|c| c.topics = words(&["middelen"])), tip("Houd een week bij wat u gebruikt", "Schrijf een week op wanneer en hoeveel u drinkt, blowt of gokt. Spreek daarna met uzelf af wat minder mag, en vertel het iemand die u vertrouwt.")),
            rule("middelen_hulp", c(|c| c.topics = words(&["middelen"])), services(&[D::Middelengebruik], &["alcohol", "drugs", "gokken"], false, 4)),
            rule("middelen_zorg", c(|c| c.concerns = words(&["middelen"])), services(&[D::Middelengebruik], &[], false, 5)),
            rule("justitie_hulp", c(|c| c.topics = words(&["justitie"])), services(&[D::Justitie], &["boete", "rechter", "detentie"], false, 4)),
            rule(
                "netwerk_vragen",
                c(|c| c.helpers = words(&["familie", "buren", "vrienden", "vereniging"])),
                network(
                    "Vraag de mensen die u noemde",
                    "Vertel hun wat u nodig hebt. Vaak helpen mensen graag, als ze het weten. Spreek iets vasts af, bijvoorbeeld één keer per week.",
                ),
            ),
            rule("niemand", c(|c| c.nobody_helps = true), network("Leer mensen in de buurt kennen", "Op de buurtmarktplaats en in het buurthuis vindt u mensen die graag iets voor een ander doen.")),
            rule("gevoel_tip", c(|c| c.topics = words(&["gevoel"])), tip("Praat erover", "Vertel iemand die u vertrouwt hoe het met u gaat. Verdriet en eenzaamheid worden lichter als u ze deelt.")),
            rule("gevoel_hulp", c(|c| c.topics = words(&["gevoel"])), services(&[], &["rouw", "verdriet", "verloren"], false, 4)),
            rule("gevoel_zorg", c(|c| c.concerns = words(&["stemming"])), services(&[], &["verdriet", "praten"], false, 4)),
            rule("contact", c(|c| c.topics = words(&["contact"])), services(&[D::SociaalNetwerk], &["ontmoeten", "samen", "gezelligheid"], true, 3)),
            rule("lopen_hulpmiddel", c(|c| c.concerns = words(&["lopen"])), services(&[], &["scootmobiel", "rolstoel", "vervoer"], false, 5)),
            rule("woning", c(|c| c.concerns = words(&["woning"])), services(&[D::Huisvesting], &["traplift", "aanpassing", "drempel"], false, 5)),
        ],
        synonyms: vec![
            SynonymGroup { key: "eenzaam".into(), words: words(&["eenzaam", "alleen", "ontmoeting", "ontmoeten", "maatje", "gezelschap", "gezelligheid"]) },
            SynonymGroup { key: "breien".into(), words: words(&["breien", "handwerk", "haken", "naaien"]) },
            SynonymGroup { key: "rouw".into(), words: words(&["rouw", "verdriet", "overleden", "verloren"]) },
            SynonymGroup { key: "lopen".into(), words: words(&["lopen", "wandelen", "mobiel"]) },
            SynonymGroup { key: "ouder".into(), words: words(&["ouder", "ouders", "moeder", "vader"]) },
            SynonymGroup { key: "taal".into(), words: words(&["nederlands", "taal"]) },
        ],
        limitations: vec![Limitation {
            key: "lopen".into(),
            label: "lopen gaat niet (goed)".into(),
            answers: words(&["lopen=moeilijk"]),
            words: words(&["rolstoel", "niet lopen", "niet wandelen", "niet mobiel"]),
            avoid: words(&["lopen", "wandelen", "wandeling", "fietsen"]),
            accessible: words(&["rolstoel", "rolstoeltoegankelijk", "toegankelijk", "haalt", "bezorgd"]),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_map_has_about_300_valid_services_on_every_step_and_in_every_district() {
        let m = crate::municipality();
        let k = kaart(&m);
        assert!(
            (280..=340).contains(&k.services.len()),
            "{}",
            k.services.len()
        );
        let mut steps = BTreeSet::new();
        let mut districts = BTreeSet::new();
        for s in &k.services {
            let parsed = s
                .draft
                .parse()
                .unwrap_or_else(|e| panic!("{}: {e:?}", s.draft.name));
            steps.insert(parsed.step.value());
            districts.extend(parsed.districts.iter().map(|d| d.to_string()));
            assert!(s.provider < m.providers.len());
        }
        assert_eq!(steps.into_iter().collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
        let used: BTreeSet<D> = k
            .services
            .iter()
            .flat_map(|s| s.draft.parse().map(|p| p.domains).unwrap_or_default())
            .collect();
        let unused: Vec<&str> = D::ALL
            .iter()
            .filter(|d| !used.contains(d))
            .map(|d| d.as_str())
            .collect();
        assert!(
            unused.is_empty(),
            "life domains without a service: {unused:?}"
        );
        assert!(k.services.iter().any(|s| s.draft.status == "beeindigd"));
        assert!(
            k.services.iter().any(|s| s.locations.len() > 1),
            "some service has several places"
        );
        assert_eq!(districts.len(), m.districts.len());
        assert!(k
            .services
            .iter()
            .any(|s| s.draft.name.starts_with("Voorlezen op de basisschool")));
        assert!(k
            .services
            .iter()
            .any(|s| s.draft.name.starts_with("Maaltijd koken in het buurthuis")));
    }

    #[test]
    fn the_wijzer_content_is_consistent() {
        assert_eq!(wijzer().check(), vec![]);
    }
}

/// A resident's request for a professional to think along, as the demo holds
/// it: the wijzer's answers (keys of [`wijzer`]'s content), how to reach them,
/// and how many days before the reference date they sent it.
#[derive(Debug, Clone)]
pub struct HelpRequestSpec {
    pub answers: baken_domain::kaart::Answers,
    pub contact: String,
    pub days_ago: i64,
}

/// Two requests per district, after the two stories of the brief: meals at home
/// for someone who eats alone, and a mobility scooter for someone who wants to be
/// among people. The address is the district's first household's (the loader
/// picks it), so each lands in that district's team's triage.
pub fn help_requests(m: &Municipality) -> Vec<HelpRequestSpec> {
    use std::collections::BTreeMap;
    let list = |ws: &[&str]| words(ws);
    let mut out = Vec::new();
    for (i, d) in m.districts.iter().enumerate() {
        out.push(HelpRequestSpec {
            answers: baken_domain::kaart::Answers {
                question: "Ik wil graag maaltijden aan huis, koken lukt niet meer zo goed.".into(),
                topics: list(&["eten"]),
                situation: BTreeMap::from([
                    ("alleen_eten".to_owned(), "vaak".to_owned()),
                    ("gezelschap".to_owned(), "ja".to_owned()),
                    ("koken".to_owned(), "soms".to_owned()),
                ]),
                likes: list(&["koken", "mensen"]),
                helpers: list(&["buren"]),
                nobody_helps: false,
                district: Some(d.code.clone()),
            },
            contact: format!("Mevrouw De Vries (fictief) — 06-0000{:04}", 100 + i),
            days_ago: 2 + i as i64,
        });
        out.push(HelpRequestSpec {
            answers: baken_domain::kaart::Answers {
                question: "Ik heb een slechte heup en zou graag een scootmobiel willen.".into(),
                topics: list(&["bewegen", "contact"]),
                situation: BTreeMap::from([
                    ("lopen".to_owned(), "moeilijk".to_owned()),
                    ("gezelschap".to_owned(), "ja".to_owned()),
                ]),
                likes: list(&["lezen", "mensen"]),
                helpers: Vec::new(),
                nobody_helps: true,
                district: Some(d.code.clone()),
            },
            contact: format!("demo.inwoner{}@proefstad.invalid", i + 1),
            days_ago: 9 + i as i64,
        });
    }
    out
}

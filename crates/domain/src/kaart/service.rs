//! A service (*voorziening*) on the social map, placed on the responsibility
//! ladder. Volunteer opportunities are services too: they are where residents
//! can *give*.
//!
//! A service can only be built through [`ServiceDraft::parse`], which checks
//! every field and the rules that tie step, access and reach together:
//! - a *beschikking* (decision) belongs to step 5 and step 5 always needs one
//!   (a maatwerkvoorziening is individual provision by decision);
//! - step 5 is individual, never collective;
//! - a volunteer opportunity is informal: it is never on step 4 or 5.

use crate::casework::LifeDomain;
use crate::coded::coded_enum;
use crate::{DistrictCode, LadderStep, SupportForm};
use serde::{Deserialize, Serialize};

/// Why a service's field is not acceptable. The web layer shows a Dutch
/// message next to the field named by [`ServiceError::field`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error("the name must be 2 to 120 characters")]
    Name,
    #[error("the description must be 10 to 2000 characters")]
    Description,
    #[error("choose at least one life domain")]
    NoDomain,
    #[error("unknown life domain '{0}'")]
    Domain(String),
    #[error("the ladder step must be 1 to 5")]
    Step,
    #[error("unknown form of support")]
    Form,
    #[error("a step-5 service (maatwerkvoorziening) is given by decision (beschikking)")]
    StepFiveNeedsDecision,
    #[error("only a step-5 service (maatwerkvoorziening) is given by decision")]
    DecisionOnlyOnStepFive,
    #[error("a step-5 service is individual, never collective")]
    CollectiveMaatwerk,
    #[error("a volunteer opportunity is informal help: step 1 to 3")]
    VolunteeringTooHeavy,
    #[error("the cost must be an amount in euros of at least 0, like 12,50")]
    Cost,
    #[error("a cost needs a unit (per hour, per meal …)")]
    CostWithoutUnit,
    #[error("unknown cost unit '{0}'")]
    Unit(String),
    #[error("ages are whole numbers from 0 to 120, the lowest first")]
    Ages,
    #[error("unknown district '{0}'")]
    District(String),
    #[error("unknown status '{0}'")]
    Status(String),
    #[error("unknown access '{0}'; free (vrij) or by decision (beschikking)")]
    Access(String),
    #[error("unknown reach '{0}'; collective or individual")]
    Reach(String),
    #[error("'{0}' is too long")]
    TooLong(&'static str),
    #[error("'{0}' is not an e-mail address")]
    Email(String),
    #[error("'{0}' is not a web address (http or https)")]
    Website(String),
}

impl ServiceError {
    /// The form field this error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            ServiceError::Name => "naam",
            ServiceError::Description => "omschrijving",
            ServiceError::NoDomain | ServiceError::Domain(_) => "domeinen",
            ServiceError::Step | ServiceError::VolunteeringTooHeavy => "trede",
            ServiceError::Form => "vorm",
            ServiceError::StepFiveNeedsDecision | ServiceError::DecisionOnlyOnStepFive => "toegang",
            ServiceError::CollectiveMaatwerk => "bereik",
            ServiceError::Cost | ServiceError::CostWithoutUnit => "kosten",
            ServiceError::Unit(_) => "eenheid",
            ServiceError::Ages => "leeftijd",
            ServiceError::District(_) => "wijken",
            ServiceError::Status(_) => "status",
            ServiceError::Access(_) => "toegang",
            ServiceError::Reach(_) => "bereik",
            ServiceError::TooLong(f) => f,
            ServiceError::Email(_) => "email",
            ServiceError::Website(_) => "website",
        }
    }

    /// The message in plain Dutch (B1), shown next to the field.
    pub fn dutch(&self) -> String {
        match self {
            ServiceError::Name => "Vul een naam in van 2 tot 120 tekens.".into(),
            ServiceError::Description => "Beschrijf de voorziening in 10 tot 2000 tekens, in eenvoudige woorden.".into(),
            ServiceError::NoDomain => "Kies minstens één levensgebied.".into(),
            ServiceError::Domain(d) => format!("Het levensgebied '{d}' bestaat niet. Kies uit de lijst."),
            ServiceError::Step => "Kies een trede van 1 tot 5.".into(),
            ServiceError::Form => "Kies een vorm uit de lijst.".into(),
            ServiceError::StepFiveNeedsDecision => "Een maatwerkvoorziening (trede 5) krijgt iemand alleen met een beschikking. Kies 'met beschikking'.".into(),
            ServiceError::DecisionOnlyOnStepFive => "Alleen een maatwerkvoorziening (trede 5) gaat met een beschikking. Kies trede 5, of 'vrij toegankelijk'.".into(),
            ServiceError::CollectiveMaatwerk => "Een maatwerkvoorziening (trede 5) is altijd individueel.".into(),
            ServiceError::VolunteeringTooHeavy => "Vrijwilligerswerk is informele hulp: kies trede 1, 2 of 3.".into(),
            ServiceError::Cost => "Vul een bedrag in euro's in, bijvoorbeeld 12,50. Laat leeg als het niets kost.".into(),
            ServiceError::CostWithoutUnit => "Kies waar het bedrag voor is, bijvoorbeeld per uur.".into(),
            ServiceError::Unit(_) => "Kies een eenheid uit de lijst.".into(),
            ServiceError::Ages => "Vul leeftijden in van 0 tot 120; de laagste eerst.".into(),
            ServiceError::District(d) => format!("De wijk '{d}' bestaat niet. Kies uit de lijst."),
            ServiceError::Status(_) => "Kies een status uit de lijst.".into(),
            ServiceError::Access(_) => "Kies of de voorziening vrij toegankelijk is of een beschikking vraagt.".into(),
            ServiceError::Reach(_) => "Kies collectief of individueel.".into(),
            ServiceError::TooLong(_) => "Deze tekst is te lang.".into(),
            ServiceError::Email(_) => "Vul een geldig e-mailadres in, zoals info@voorbeeld.nl.".into(),
            ServiceError::Website(_) => "Vul een webadres in, zoals www.voorbeeld.nl of https://www.voorbeeld.nl.".into(),
        }
    }
}

coded_enum!(
    /// Whether the service is running. HSDS: active, temporarily closed, defunct.
    ServiceStatus, ServiceError::Status, {
    Active => ("actief", "Actief"),
    TemporarilyClosed => ("tijdelijk_gesloten", "Tijdelijk gesloten"),
    Ended => ("beeindigd", "Beëindigd"),
});

impl ServiceStatus {
    pub fn hsds(self) -> &'static str {
        match self {
            ServiceStatus::Active => "active",
            ServiceStatus::TemporarilyClosed => "temporarily closed",
            ServiceStatus::Ended => "defunct",
        }
    }
    /// HSDS `inactive` has no Baken equivalent; it reads as temporarily closed.
    pub fn from_hsds(s: &str) -> Option<ServiceStatus> {
        match s {
            "active" => Some(ServiceStatus::Active),
            "temporarily closed" | "inactive" => Some(ServiceStatus::TemporarilyClosed),
            "defunct" => Some(ServiceStatus::Ended),
            _ => None,
        }
    }
}

coded_enum!(
    /// Free access, or only by a municipal decision (*beschikking*).
    ServiceAccess, ServiceError::Access, {
    Free => ("vrij", "Vrij toegankelijk"),
    Decision => ("beschikking", "Met beschikking"),
});

coded_enum!(
    /// Collective (a group, a place anyone may come) or individual.
    Reach, ServiceError::Reach, {
    Collective => ("collectief", "Collectief"),
    Individual => ("individueel", "Individueel"),
});

coded_enum!(
    /// What the municipality's cost is counted per.
    CostUnit, ServiceError::Unit, {
    Hour => ("uur", "per uur"),
    Daypart => ("dagdeel", "per dagdeel"),
    Day => ("dag", "per dag"),
    Week => ("week", "per week"),
    Month => ("maand", "per maand"),
    Year => ("jaar", "per jaar"),
    Meal => ("maaltijd", "per maaltijd"),
    Session => ("keer", "per keer"),
    Trajectory => ("traject", "per traject"),
});

/// For whom, by age. Both ends inclusive; `None` is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AgeRange {
    min: Option<u8>,
    max: Option<u8>,
}

impl AgeRange {
    pub fn new(min: Option<u8>, max: Option<u8>) -> Result<AgeRange, ServiceError> {
        let ok = min.is_none_or(|m| m <= 120)
            && max.is_none_or(|m| m <= 120)
            && match (min, max) {
                (Some(a), Some(b)) => a <= b,
                _ => true,
            };
        ok.then_some(AgeRange { min, max })
            .ok_or(ServiceError::Ages)
    }
    pub fn min(self) -> Option<u8> {
        self.min
    }
    pub fn max(self) -> Option<u8> {
        self.max
    }
    pub fn contains(self, age: u8) -> bool {
        self.min.is_none_or(|m| age >= m) && self.max.is_none_or(|m| age <= m)
    }
    /// "18 jaar en ouder", "4 tot en met 12 jaar", "alle leeftijden".
    pub fn label(self) -> String {
        match (self.min, self.max) {
            (None, None) => "alle leeftijden".into(),
            (Some(a), None) => format!("{a} jaar en ouder"),
            (None, Some(b)) => format!("tot en met {b} jaar"),
            (Some(a), Some(b)) => format!("{a} tot en met {b} jaar"),
        }
    }
}

/// What a beheerder or provider types into the service form (or what an import
/// carries), before any rule is checked. Multi-valued fields are lists of codes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceDraft {
    pub name: String,
    pub description: String,
    pub domains: Vec<String>,
    pub step: String,
    pub form: String,
    pub reach: String,
    pub access: String,
    /// Euros, with a comma or a point: "12,50".
    pub cost: String,
    pub cost_unit: String,
    pub districts: Vec<String>,
    pub schedule: String,
    pub eligibility: String,
    pub min_age: String,
    pub max_age: String,
    pub how_to_apply: String,
    pub capacity: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    pub status: String,
    pub volunteering: bool,
}

/// A service's own fields, every rule checked. Identity (ids, provider,
/// locations) is added by the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub name: String,
    pub description: String,
    pub domains: Vec<LifeDomain>,
    pub step: LadderStep,
    pub form: SupportForm,
    pub reach: Reach,
    pub access: ServiceAccess,
    /// The municipality's cost per unit, in euro cents.
    pub cost_cents: Option<i64>,
    pub cost_unit: Option<CostUnit>,
    /// The districts served; empty means the whole municipality.
    pub districts: Vec<DistrictCode>,
    pub schedule: String,
    pub eligibility: String,
    pub ages: AgeRange,
    pub how_to_apply: String,
    /// Capacity or waiting time, in words ("wachttijd ongeveer 6 weken").
    pub capacity: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    pub status: ServiceStatus,
    pub volunteering: bool,
}

fn text(input: &str, max: usize, field: &'static str) -> Result<String, ServiceError> {
    let t = input.trim();
    if t.chars().count() > max {
        Err(ServiceError::TooLong(field))
    } else {
        Ok(t.to_owned())
    }
}

/// "12,50" or "12.50" or "12" → 1250 cents.
pub fn parse_euros(input: &str) -> Result<Option<i64>, ServiceError> {
    let t = input.trim().trim_start_matches('€').trim();
    if t.is_empty() {
        return Ok(None);
    }
    let t = t.replace(',', ".");
    let (whole, frac) = match t.split_once('.') {
        Some((w, f)) => (w, f),
        None => (t.as_str(), ""),
    };
    let ok = !whole.is_empty()
        && whole.len() <= 7
        && whole.chars().all(|c| c.is_ascii_digit())
        && frac.len() <= 2
        && frac.chars().all(|c| c.is_ascii_digit());
    if !ok {
        return Err(ServiceError::Cost);
    }
    let w: i64 = whole.parse().map_err(|_| ServiceError::Cost)?;
    let f: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| ServiceError::Cost)? * 10,
        _ => frac.parse().map_err(|_| ServiceError::Cost)?,
    };
    Ok(Some(w * 100 + f))
}

/// 1250 → "€ 12,50"
pub fn format_euros(cents: i64) -> String {
    format!("€ {},{:02}", cents / 100, cents % 100)
}

fn age(input: &str) -> Result<Option<u8>, ServiceError> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<u8>().map(Some).map_err(|_| ServiceError::Ages)
}

impl ServiceDraft {
    /// Checks every field and rule; returns all problems, not just the first.
    pub fn parse(&self) -> Result<Service, Vec<ServiceError>> {
        let mut errors = Vec::new();
        let ok = |r: Result<String, ServiceError>, errors: &mut Vec<ServiceError>| match r {
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let name = self.name.trim().to_owned();
        if !(2..=120).contains(&name.chars().count()) {
            errors.push(ServiceError::Name);
        }
        let description = self.description.trim().to_owned();
        if !(10..=2000).contains(&description.chars().count()) {
            errors.push(ServiceError::Description);
        }
        let mut domains = Vec::new();
        for d in &self.domains {
            match LifeDomain::parse(d) {
                Ok(d) if !domains.contains(&d) => domains.push(d),
                Ok(_) => {}
                Err(_) => errors.push(ServiceError::Domain(d.chars().take(40).collect())),
            }
        }
        if self.domains.is_empty() {
            errors.push(ServiceError::NoDomain);
        }
        domains.sort();
        let step = self
            .step
            .trim()
            .parse::<u8>()
            .ok()
            .and_then(|s| LadderStep::new(s).ok());
        if step.is_none() {
            errors.push(ServiceError::Step);
        }
        let form = SupportForm::parse(&self.form).ok();
        if form.is_none() {
            errors.push(ServiceError::Form);
        }
        let reach = Reach::parse(&self.reach).map_err(|e| errors.push(e)).ok();
        let access = ServiceAccess::parse(&self.access)
            .map_err(|e| errors.push(e))
            .ok();
        if let (Some(step), Some(access)) = (step, access) {
            match (step.value() == 5, access) {
                (true, ServiceAccess::Free) => errors.push(ServiceError::StepFiveNeedsDecision),
                (false, ServiceAccess::Decision) => {
                    errors.push(ServiceError::DecisionOnlyOnStepFive)
                }
                _ => {}
            }
        }
        if let (Some(step), Some(Reach::Collective)) = (step, reach) {
            if step.value() == 5 {
                errors.push(ServiceError::CollectiveMaatwerk);
            }
        }
        if let Some(step) = step {
            if self.volunteering && !step.is_informal() {
                errors.push(ServiceError::VolunteeringTooHeavy);
            }
        }
        let cost_cents = parse_euros(&self.cost).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let cost_unit = if self.cost_unit.trim().is_empty() {
            None
        } else {
            match CostUnit::parse(&self.cost_unit) {
                Ok(u) => Some(u),
                Err(e) => {
                    errors.push(e);
                    None
                }
            }
        };
        if cost_cents.is_some()
            && cost_unit.is_none()
            && !errors.iter().any(|e| matches!(e, ServiceError::Unit(_)))
        {
            errors.push(ServiceError::CostWithoutUnit);
        }
        let mut districts = Vec::new();
        for d in &self.districts {
            match DistrictCode::parse(d) {
                Ok(d) if !districts.contains(&d) => districts.push(d),
                Ok(_) => {}
                Err(_) => errors.push(ServiceError::District(d.chars().take(40).collect())),
            }
        }
        districts.sort();
        let ages = match (age(&self.min_age), age(&self.max_age)) {
            (Ok(a), Ok(b)) => AgeRange::new(a, b).unwrap_or_else(|e| {
                errors.push(e);
                AgeRange::default()
            }),
            _ => {
                errors.push(ServiceError::Ages);
                AgeRange::default()
            }
        };
        let email = self.email.trim().to_owned();
        if !email.is_empty() && !is_email(&email) {
            errors.push(ServiceError::Email(email.chars().take(60).collect()));
        }
        let status = if self.status.trim().is_empty() {
            Some(ServiceStatus::Active)
        } else {
            ServiceStatus::parse(&self.status).ok()
        };
        if status.is_none() {
            errors.push(ServiceError::Status(self.status.clone()));
        }
        let schedule = ok(text(&self.schedule, 500, "tijden"), &mut errors);
        let eligibility = ok(text(&self.eligibility, 1000, "voorwie"), &mut errors);
        let how_to_apply = ok(text(&self.how_to_apply, 1000, "aanmelden"), &mut errors);
        let capacity = ok(text(&self.capacity, 200, "capaciteit"), &mut errors);
        let phone = ok(text(&self.phone, 40, "telefoon"), &mut errors);
        let website = ok(text(&self.website, 300, "website"), &mut errors);
        let website = match web_address(&website) {
            Some(w) => w,
            None => {
                errors.push(ServiceError::Website(website.chars().take(60).collect()));
                String::new()
            }
        };
        match (step, form, reach, access, status, errors.is_empty()) {
            (Some(step), Some(form), Some(reach), Some(access), Some(status), true) => {
                Ok(Service {
                    name,
                    description,
                    domains,
                    step,
                    form,
                    reach,
                    access,
                    cost_cents,
                    cost_unit,
                    districts,
                    schedule,
                    eligibility,
                    ages,
                    how_to_apply,
                    capacity,
                    phone,
                    email,
                    website,
                    status,
                    volunteering: self.volunteering,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Characters RFC 3986 allows in a URI (unreserved, reserved, and % for escapes).
fn uri_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/?#[]%".contains(c)
}

/// Only RFC 3986 characters, and every % starts a %XX escape — what JSON
/// Schema's `uri` format (as ajv-formats checks it) wants after the scheme.
fn uri_text(s: &str) -> bool {
    let b = s.as_bytes();
    s.chars().all(uri_char)
        && b.iter().enumerate().all(|(i, &c)| {
            c != b'%'
                || (b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
        })
}

/// An absolute URI: a scheme (`https:`), then RFC 3986 characters only.
pub fn is_uri(s: &str) -> bool {
    match s.split_once(':') {
        Some((scheme, rest)) => {
            scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !rest.is_empty()
                && uri_text(rest)
        }
        None => false,
    }
}

/// A host name label: letters, digits and hyphens, not starting or ending
/// with a hyphen (an international name is written in its xn-- form).
fn host_label(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= 63
        && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !l.starts_with('-')
        && !l.ends_with('-')
}

/// A website as people type it ("www.buurthuis.nl", "https://buurthuis.nl/eten")
/// made into a full web address; `Some("")` for none, `None` when it is not
/// one (another scheme such as `javascript:`, spaces or other characters a web
/// address cannot hold, no dot in the host).
pub fn web_address(input: &str) -> Option<String> {
    let t = input.trim();
    if t.is_empty() {
        return Some(String::new());
    }
    let lower = t.to_ascii_lowercase();
    let (scheme, rest) = if let Some(r) = lower.strip_prefix("https://") {
        ("https://", &t[t.len() - r.len()..])
    } else if let Some(r) = lower.strip_prefix("http://") {
        ("http://", &t[t.len() - r.len()..])
    } else if lower.contains("://") || (lower.contains(':') && !lower.contains('.')) {
        return None;
    } else {
        ("https://", t)
    };
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match host_port.rsplit_once(':') {
        Some((h, port)) if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => h,
        Some(_) => return None,
        None => host_port,
    };
    let labels: Vec<&str> = host.split('.').collect();
    let ok = labels.len() >= 2
        && labels.iter().all(|l| host_label(l))
        && !rest.contains(['[', ']'])
        && uri_text(rest);
    ok.then(|| format!("{scheme}{rest}"))
}

/// An e-mail address as JSON Schema's `email` format (ajv-formats) accepts it:
/// dot-separated runs of letters, digits and ``!#$%&'*+/=?^_`{|}~-`` before the
/// @, host name labels after it (at least two).
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    let labels: Vec<&str> = domain.split('.').collect();
    !local.is_empty()
        && local
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(atext))
        && labels.len() >= 2
        && labels.iter().all(|l| host_label(l))
}

impl Service {
    /// Back to a draft, e.g. to fill the edit form.
    pub fn to_draft(&self) -> ServiceDraft {
        ServiceDraft {
            name: self.name.clone(),
            description: self.description.clone(),
            domains: self.domains.iter().map(|d| d.as_str().to_owned()).collect(),
            step: self.step.value().to_string(),
            form: self.form.label().to_owned(),
            reach: self.reach.as_str().to_owned(),
            access: self.access.as_str().to_owned(),
            cost: self
                .cost_cents
                .map(|c| format!("{},{:02}", c / 100, c % 100))
                .unwrap_or_default(),
            cost_unit: self
                .cost_unit
                .map(|u| u.as_str().to_owned())
                .unwrap_or_default(),
            districts: self
                .districts
                .iter()
                .map(|d| d.as_str().to_owned())
                .collect(),
            schedule: self.schedule.clone(),
            eligibility: self.eligibility.clone(),
            min_age: self.ages.min().map(|a| a.to_string()).unwrap_or_default(),
            max_age: self.ages.max().map(|a| a.to_string()).unwrap_or_default(),
            how_to_apply: self.how_to_apply.clone(),
            capacity: self.capacity.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            website: self.website.clone(),
            status: self.status.as_str().to_owned(),
            volunteering: self.volunteering,
        }
    }

    /// Does this service serve that district? (No districts: the whole municipality.)
    pub fn serves(&self, district: &DistrictCode) -> bool {
        self.districts.is_empty() || self.districts.contains(district)
    }

    /// The text the free-text search looks in.
    pub fn search_text(&self) -> String {
        let domains: Vec<&str> = self.domains.iter().map(|d| d.label()).collect();
        format!(
            "{} {} {} {}",
            self.name,
            self.description,
            self.eligibility,
            domains.join(" ")
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    pub fn meal_draft() -> ServiceDraft {
        ServiceDraft {
            name: "Buurtmaaltijd De Brug".into(),
            description: "Elke woensdag samen eten in het buurthuis.".into(),
            domains: vec!["sociaal_netwerk".into(), "instrumentele_adl".into()],
            step: "3".into(),
            form: "faciliteren".into(),
            reach: "collectief".into(),
            access: "vrij".into(),
            cost: "4,50".into(),
            cost_unit: "maaltijd".into(),
            districts: vec!["WK999902".into()],
            ..ServiceDraft::default()
        }
    }

    #[test]
    fn a_complete_draft_parses() {
        let s = meal_draft().parse().unwrap();
        assert_eq!(s.step.value(), 3);
        assert_eq!(s.cost_cents, Some(450));
        assert_eq!(s.status, ServiceStatus::Active);
        assert_eq!(s.to_draft().parse().unwrap(), s);
    }

    #[test]
    fn step_five_without_decision_is_refused() {
        let mut d = meal_draft();
        d.step = "5".into();
        d.reach = "individueel".into();
        let errs = d.parse().unwrap_err();
        assert!(
            errs.contains(&ServiceError::StepFiveNeedsDecision),
            "{errs:?}"
        );
        assert_eq!(ServiceError::StepFiveNeedsDecision.field(), "toegang");
    }

    #[test]
    fn a_decision_below_step_five_is_refused() {
        let mut d = meal_draft();
        d.access = "beschikking".into();
        assert!(d
            .parse()
            .unwrap_err()
            .contains(&ServiceError::DecisionOnlyOnStepFive));
    }

    #[test]
    fn collective_maatwerk_is_refused() {
        let mut d = meal_draft();
        d.step = "5".into();
        d.access = "beschikking".into();
        assert_eq!(
            d.parse().unwrap_err(),
            vec![ServiceError::CollectiveMaatwerk]
        );
    }

    #[test]
    fn volunteering_on_step_four_is_refused() {
        let mut d = meal_draft();
        d.volunteering = true;
        d.step = "4".into();
        d.reach = "individueel".into();
        assert!(d
            .parse()
            .unwrap_err()
            .contains(&ServiceError::VolunteeringTooHeavy));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let d = ServiceDraft::default();
        let errs = d.parse().unwrap_err();
        for e in [
            ServiceError::Name,
            ServiceError::Description,
            ServiceError::NoDomain,
            ServiceError::Step,
        ] {
            assert!(errs.contains(&e), "{e:?} missing from {errs:?}");
        }
    }

    #[test]
    fn cost_needs_a_unit_and_a_valid_amount() {
        let mut d = meal_draft();
        d.cost_unit = String::new();
        assert!(d
            .parse()
            .unwrap_err()
            .contains(&ServiceError::CostWithoutUnit));
        assert_eq!(parse_euros("€ 12,5").unwrap(), Some(1250));
        assert_eq!(parse_euros("").unwrap(), None);
        assert!(parse_euros("-3").is_err());
        assert!(parse_euros("1,234").is_err());
        assert_eq!(format_euros(1250), "€ 12,50");
    }

    #[test]
    fn ages_must_be_in_order() {
        let mut d = meal_draft();
        d.min_age = "65".into();
        d.max_age = "18".into();
        assert!(d.parse().unwrap_err().contains(&ServiceError::Ages));
        assert_eq!(
            AgeRange::new(Some(4), Some(12)).unwrap().label(),
            "4 tot en met 12 jaar"
        );
    }

    #[test]
    fn a_website_becomes_a_web_address_and_other_schemes_are_refused() {
        assert_eq!(
            web_address("www.buurthuis.nl").as_deref(),
            Some("https://www.buurthuis.nl")
        );
        assert_eq!(
            web_address(" HTTP://Buurthuis.nl/eten?dag=wo ").as_deref(),
            Some("http://Buurthuis.nl/eten?dag=wo")
        );
        assert_eq!(
            web_address("https://localhost.nl:8080/x").as_deref(),
            Some("https://localhost.nl:8080/x")
        );
        assert_eq!(web_address("").as_deref(), Some(""));
        for bad in [
            "javascript:alert(1)",
            "buurthuis",
            "www.buurt huis.nl",
            "ftp://x.nl",
            "mailto:a@b.nl",
            "https://x.nl/\"<script>",
            // What JSON Schema's uri format refuses, so an export never holds it:
            "https://café.nl",
            "https://x.nl/{dag}",
            "https://x.nl/100%",
            "https://-x.nl",
            "https://x.nl:8o",
        ] {
            assert_eq!(web_address(bad), None, "{bad}");
        }
        let mut d = meal_draft();
        d.website = "javascript:alert(1)".into();
        let errs = d.parse().unwrap_err();
        assert_eq!(
            errs,
            vec![ServiceError::Website("javascript:alert(1)".into())]
        );
        assert_eq!(errs[0].field(), "website");
        d.website = "www.debrug.nl".into();
        assert_eq!(d.parse().unwrap().website, "https://www.debrug.nl");
    }

    #[test]
    fn an_email_address_is_what_json_schemas_email_format_accepts() {
        for good in [
            "info@buurthuis.nl",
            "j.de.vries+kaart@wijk-noord.proefstad.example",
            "a_b@x.nl",
        ] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "info@buurthuis",
            "a..b@x.nl",
            ".a@x.nl",
            "jan@x_y.nl",
            "jan@-x.nl",
            "jöp@x.nl",
            "a@b@x.nl",
            "jan @x.nl",
            "",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn a_uri_has_a_scheme_and_only_rfc_3986_characters() {
        assert!(is_uri("https://x.nl/eten?dag=wo&tijd=17:30#a"));
        assert!(is_uri("urn:uuid:1"));
        for bad in [
            "x.nl",
            "1http://x.nl",
            "https://café.nl",
            "https://x.nl/{a}",
            "https://x.nl/%g0",
            "https:",
            "https://x .nl",
        ] {
            assert!(!is_uri(bad), "{bad}");
        }
    }

    #[test]
    fn hsds_status_round_trips() {
        for s in ServiceStatus::ALL {
            assert_eq!(ServiceStatus::from_hsds(s.hsds()), Some(*s));
        }
    }

    proptest! {
        #[test]
        fn decision_goes_with_step_five_only(step in 1u8..=5, decision: bool, collective: bool) {
            let mut d = meal_draft();
            d.step = step.to_string();
            d.access = if decision { "beschikking" } else { "vrij" }.into();
            d.reach = if collective { "collectief" } else { "individueel" }.into();
            let ok = d.parse().is_ok();
            prop_assert_eq!(ok, (step == 5) == decision && !(step == 5 && collective));
        }

        #[test]
        fn euros_round_trip(cents in 0i64..10_000_000) {
            let shown = format!("{},{:02}", cents / 100, cents % 100);
            prop_assert_eq!(parse_euros(&shown).unwrap(), Some(cents));
        }
    }
}

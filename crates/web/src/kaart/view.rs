//! Shared view models and loading for the kaart pages and API.

use crate::support::choice::{choices, Choice};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::state::AppState;
use baken_domain::casework::LifeDomain;
use baken_domain::kaart::service::format_euros;
use baken_domain::kaart::{
    tokens, Matcher, Reach, ServiceAccess, ServiceStatus, Synonyms, Wording,
};
use baken_domain::{DistrictCode, LadderStep, SupportForm};
use baken_store::kaart::{self, MapService};
use serde::Serialize;
use std::collections::HashMap;

/// The life domains as options, in the reader's words (see [`Wording`]).
pub fn domain_options(w: Wording) -> Vec<Choice> {
    match w {
        Wording::Professional => choices(LifeDomain::ALL, LifeDomain::as_str, LifeDomain::label),
        Wording::Resident => LifeDomain::ALL
            .iter()
            .map(|d| Choice::new(d.as_str(), w.domain(*d)))
            .collect(),
    }
}

pub fn step_options(w: Wording) -> Vec<Choice> {
    (1..=5u8)
        .filter_map(|s| LadderStep::new(s).ok())
        .map(|s| {
            Choice::new(
                s.value().to_string(),
                format!("{} – {}", s.value(), w.step(s)),
            )
        })
        .collect()
}

/// Who reads the page: residents get plain words, professionals the taxonomy.
pub fn wording(ctx: &Ctx) -> Wording {
    Wording::for_role(ctx.user.as_ref().map(|u| u.user.role))
}

#[derive(Debug, Clone, Serialize)]
pub struct LocationView {
    pub name: String,
    pub address: String,
    pub postcode: String,
    pub city: String,
}

/// A service as the pages show it: every value already in Dutch words.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceView {
    pub id: i64,
    pub name: String,
    pub provider: String,
    pub description: String,
    pub step: u8,
    pub step_name: &'static str,
    /// The form of support, and what it means in plain words.
    pub form: &'static str,
    pub form_explained: &'static str,
    pub domains: Vec<&'static str>,
    pub reach: &'static str,
    pub collective: bool,
    pub access: &'static str,
    pub by_decision: bool,
    pub cost: String,
    pub districts: String,
    pub status: &'static str,
    pub active: bool,
    pub schedule: String,
    pub eligibility: String,
    pub ages: String,
    pub how_to_apply: String,
    pub capacity: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    /// The website as a link target: always an http(s) address (the domain
    /// refuses anything else), so it is safe in `href`.
    pub website_href: String,
    pub volunteering: bool,
    pub locations: Vec<LocationView>,
}

/// The four forms, light to heavy, said so a resident understands them.
pub fn form_explained(f: SupportForm) -> &'static str {
    match f {
        SupportForm::Faciliteren => {
            "er is een plek, een activiteit of materiaal; u doet het zelf of samen met anderen"
        }
        SupportForm::Ondersteunen => "iemand helpt u een tijdje, tot het weer zelf lukt",
        SupportForm::Intervenieren => "een professional grijpt in als het niet meer gaat",
        SupportForm::Beschermen => "zorg en toezicht voor wie het zelf niet (meer) kan",
    }
}

pub fn service_view(
    s: &MapService,
    districts: &HashMap<String, String>,
    w: Wording,
) -> ServiceView {
    let v = &s.service;
    ServiceView {
        id: s.id,
        name: v.name.clone(),
        provider: s.provider_name.clone(),
        description: v.description.clone(),
        step: v.step.value(),
        step_name: w.step(v.step),
        form: w.form(v.form),
        form_explained: form_explained(v.form),
        domains: v.domains.iter().map(|d| w.domain(*d)).collect(),
        reach: w.reach(v.reach),
        collective: v.reach == Reach::Collective,
        access: w.access(v.access),
        by_decision: v.access == ServiceAccess::Decision,
        cost: match (v.cost_cents, v.cost_unit) {
            (Some(c), Some(u)) => format!("{} {}", format_euros(c), u.label()),
            _ => String::new(),
        },
        districts: if v.districts.is_empty() {
            "Heel de gemeente".into()
        } else {
            v.districts
                .iter()
                .map(|d| {
                    districts
                        .get(d.as_str())
                        .cloned()
                        .unwrap_or_else(|| d.to_string())
                })
                .collect::<Vec<_>>()
                .join(", ")
        },
        status: v.status.label(),
        active: v.status == ServiceStatus::Active,
        schedule: v.schedule.clone(),
        eligibility: v.eligibility.clone(),
        ages: v.ages.label(),
        how_to_apply: v.how_to_apply.clone(),
        capacity: v.capacity.clone(),
        phone: v.phone.clone(),
        email: v.email.clone(),
        website: v.website.clone(),
        website_href: baken_domain::kaart::service::web_address(&v.website).unwrap_or_default(),
        volunteering: v.volunteering,
        locations: s
            .locations
            .iter()
            .map(|l| LocationView {
                name: l.location.name.clone(),
                address: l.location.address.clone(),
                postcode: l.location.postcode.clone(),
                city: l.location.city.clone(),
            })
            .collect(),
    }
}

/// The public map's filters, parsed from the query string; unknown values are
/// ignored rather than refused (a resident may have an old link).
#[derive(Debug, Clone, Default)]
pub struct MapFilter {
    pub text: String,
    pub domain: Option<LifeDomain>,
    pub district: Option<DistrictCode>,
    pub step: Option<LadderStep>,
    pub reach: Option<Reach>,
    pub access: Option<ServiceAccess>,
    pub volunteering: Option<bool>,
    /// The public map hides ended services; the HSDS API (a register) shows them.
    pub include_ended: bool,
}

impl MapFilter {
    /// Does the service pass every filter? Ended services never do.
    pub fn apply<'a>(&self, services: &'a [MapService]) -> Vec<&'a MapService> {
        self.apply_with(services, &Synonyms::default())
    }

    /// [`apply`](MapFilter::apply), with the search words also standing for
    /// their synonyms (the public map: "eenzaam" finds the maatje).
    pub fn apply_with<'a>(
        &self,
        services: &'a [MapService],
        synonyms: &Synonyms,
    ) -> Vec<&'a MapService> {
        let m = Matcher::with_synonyms(&self.text, synonyms);
        services
            .iter()
            .filter(|s| {
                let v = &s.service;
                (self.include_ended || v.status != ServiceStatus::Ended)
                    && self.domain.is_none_or(|d| v.domains.contains(&d))
                    && self.district.as_ref().is_none_or(|d| v.serves(d))
                    && self.step.is_none_or(|st| v.step == st)
                    && self.reach.is_none_or(|r| v.reach == r)
                    && self.access.is_none_or(|a| v.access == a)
                    && self.volunteering.is_none_or(|b| v.volunteering == b)
                    && (m.is_empty()
                        || m.matches_all(&tokens(&format!(
                            "{} {}",
                            v.search_text(),
                            s.provider_name
                        ))))
            })
            .collect()
    }
}

/// The services residents see: an imported service waiting to be classified
/// ("nog in te delen") is not on the public map, nor in the wijzer.
pub async fn load_services(state: &AppState) -> Result<Vec<MapService>, AppError> {
    let mut tx = state.db.read().await?;
    let mut services = kaart::services(&mut tx, None).await?;
    services.retain(|s| s.classified);
    Ok(services)
}

pub async fn district_names(
    state: &AppState,
) -> Result<(Vec<Choice>, HashMap<String, String>), AppError> {
    let mut tx = state.db.read().await?;
    let ds = baken_store::areas::districts(&mut tx).await?;
    let opts = ds
        .iter()
        .map(|d| Choice::new(d.code.clone(), d.name.clone()))
        .collect();
    Ok((opts, ds.into_iter().map(|d| (d.code, d.name)).collect()))
}

/// The same offer in several places: one provider's services with the same
/// description, facts and status (a buurtmaaltijd in every neighbourhood).
/// The map shows them as one card with where they are offered.
#[derive(Debug, Clone, Serialize)]
pub struct OfferCard {
    /// The first place's service, with the name the places share.
    pub service: ServiceView,
    /// Every place's own service (more than one: the card lists them).
    pub places: Vec<OfferPlace>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OfferPlace {
    pub id: i64,
    pub name: String,
    pub districts: String,
}

/// What makes services one offer: provider, description, step, form, reach,
/// access, volunteering and status.
type OfferKey<'a> = (i64, &'a str, u8, &'a str, &'a str, &'a str, bool, &'a str);

fn offer_key(s: &MapService) -> OfferKey<'_> {
    let v = &s.service;
    (
        s.provider_id,
        v.description.as_str(),
        v.step.value(),
        v.form.label(),
        v.reach.as_str(),
        v.access.as_str(),
        v.volunteering,
        v.status.as_str(),
    )
}

/// The words all names start with ("Buurtmaaltijd" for "Buurtmaaltijd
/// Vlietland" and "Buurtmaaltijd Bosrand"); the first name when they share none.
fn shared_name(names: &[&str]) -> String {
    let first: Vec<&str> = names
        .first()
        .map(|n| n.split(' ').collect())
        .unwrap_or_default();
    let mut shared = first.len();
    for name in names.iter().skip(1) {
        let words: Vec<&str> = name.split(' ').collect();
        shared = shared.min(first.iter().zip(&words).take_while(|(a, b)| a == b).count());
    }
    if shared == 0 {
        names.first().map(|n| (*n).to_owned()).unwrap_or_default()
    } else {
        first[..shared].join(" ")
    }
}

/// Groups the same offer in several places into one card, in the order of
/// each offer's first service.
pub fn offer_cards(
    found: &[&MapService],
    districts: &HashMap<String, String>,
    w: Wording,
) -> Vec<OfferCard> {
    let mut groups: Vec<Vec<&MapService>> = Vec::new();
    let mut index: HashMap<OfferKey, usize> = HashMap::new();
    for s in found {
        match index.get(&offer_key(s)) {
            Some(&i) => groups[i].push(s),
            None => {
                index.insert(offer_key(s), groups.len());
                groups.push(vec![s]);
            }
        }
    }
    groups
        .into_iter()
        .map(|members| {
            let mut service = service_view(members[0], districts, w);
            if members.len() > 1 {
                let names: Vec<&str> = members.iter().map(|s| s.service.name.as_str()).collect();
                service.name = shared_name(&names);
                let whole = members.iter().any(|s| s.service.districts.is_empty());
                let mut codes: Vec<&str> = members
                    .iter()
                    .flat_map(|s| s.service.districts.iter().map(|d| d.as_str()))
                    .collect();
                codes.sort();
                codes.dedup();
                service.districts = if whole {
                    "Heel de gemeente".into()
                } else {
                    codes
                        .iter()
                        .map(|c| {
                            districts
                                .get(*c)
                                .cloned()
                                .unwrap_or_else(|| (*c).to_owned())
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                };
            }
            let places = if members.len() > 1 {
                members
                    .iter()
                    .map(|s| OfferPlace {
                        id: s.id,
                        name: s.service.name.clone(),
                        districts: service_view(s, districts, w).districts,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            OfferCard { service, places }
        })
        .collect()
}

#[cfg(test)]
mod offer_tests {
    use super::shared_name;

    #[test]
    fn the_shared_name_is_the_words_every_name_starts_with() {
        assert_eq!(
            shared_name(&["Buurtmaaltijd Vlietland", "Buurtmaaltijd De Akkers"]),
            "Buurtmaaltijd"
        );
        assert_eq!(
            shared_name(&["Mantelzorgmaatje Noord", "Mantelzorgmaatje Oost"]),
            "Mantelzorgmaatje"
        );
        assert_eq!(shared_name(&["Koffie", "Thee"]), "Koffie");
        assert_eq!(
            shared_name(&["Voorlezen op de basisschool", "Voorlezen op de basisschool"]),
            "Voorlezen op de basisschool"
        );
    }
}

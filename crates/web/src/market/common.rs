//! What the marketplace's pages share: the current participant, the choice
//! lists, the listing form parsed at the edge, and a listing as a page shows it.

use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::FieldErrors;
use crate::support::time::{nl_date, parse_date, today};
use baken_domain::market::{
    Area, CategoryName, Direction, GroupSize, Listing, ListingError, ListingText, ListingTitle,
    NewListing, PartOfDay, Recurrence,
};
use baken_domain::DistrictCode;
use baken_store::market::{self as mk, ListingRow, ParticipantRow};
use baken_store::{areas, Tx};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// The participant the logged-in account takes part as, if it has joined.
pub async fn me(tx: &mut Tx, ctx: &Ctx) -> Result<Option<ParticipantRow>, AppError> {
    let user = ctx.user()?;
    Ok(mk::participant_of_user(tx, user.user.id).await?)
}

/// The choice lists the forms and filters use.
pub async fn choices(tx: &mut Tx) -> Result<Value, AppError> {
    let categories = mk::categories(tx, true).await?;
    let districts = areas::districts(tx).await?;
    Ok(Value::from_serialize(context! {
        categories => categories.iter().map(|c| context! { value => c.id.to_string(), label => c.name.clone() }).collect::<Vec<_>>(),
        districts => districts.iter().map(|d| context! { value => d.code.clone(), label => d.name.clone() }).collect::<Vec<_>>(),
        directions => Direction::ALL.iter().map(|d| context! { value => d.as_str(), label => d.label() }).collect::<Vec<_>>(),
        recurrences => Recurrence::ALL.iter().map(|d| context! { value => d.as_str(), label => d.label() }).collect::<Vec<_>>(),
        parts => PartOfDay::ALL.iter().map(|d| context! { value => d.as_str(), label => d.label() }).collect::<Vec<_>>(),
    }))
}

/// The ask/offer form, one field per control, as the browser sends it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ListingForm {
    pub soort: String,
    pub categorie: String,
    pub titel: String,
    pub tekst: String,
    pub wijk: String,
    pub herhaling: String,
    pub datum: String,
    pub dagdeel: String,
    pub spoed: Option<String>,
    pub groep: Option<String>,
    pub plaatsen: String,
}

impl ListingForm {
    /// The domain's listing and its category id, or a Dutch message per field.
    /// Districts and categories are checked against the database's lists.
    pub async fn parse(&self, tx: &mut Tx) -> Result<(i64, Listing), FieldErrors> {
        let mut errors = FieldErrors::new();
        let direction = Direction::parse(&self.soort)
            .map_err(|_| errors.add("soort", "Kies: een vraag of een aanbod."))
            .ok();
        let categories = mk::categories(tx, true).await.unwrap_or_default();
        let category = self
            .categorie
            .parse::<i64>()
            .ok()
            .and_then(|id| categories.iter().find(|c| c.id == id));
        if category.is_none() {
            errors.add("categorie", "Kies een soort hulp.");
        }
        let title = ListingTitle::parse(&self.titel)
            .map_err(|_| errors.add("titel", "Vul een korte titel in (3 tot 100 tekens)."))
            .ok();
        let text = ListingText::parse(&self.tekst)
            .map_err(|_| {
                errors.add(
                    "tekst",
                    "De omschrijving is te lang (hoogstens 2000 tekens).",
                )
            })
            .ok();
        let area = if self.wijk.trim().is_empty() {
            Some(Area::WholeTown)
        } else {
            let districts = areas::districts(tx).await.unwrap_or_default();
            DistrictCode::parse(&self.wijk)
                .ok()
                .filter(|d| districts.iter().any(|x| x.code == d.as_str()))
                .map(Area::District)
                .or_else(|| {
                    errors.add("wijk", "Kies een wijk uit de lijst, of de hele stad.");
                    None
                })
        };
        let recurrence = Recurrence::parse(&self.herhaling)
            .map_err(|_| errors.add("herhaling", "Kies: eenmalig of terugkerend."))
            .ok();
        let date = if self.datum.trim().is_empty() {
            Some(None)
        } else {
            parse_date(&self.datum).map(Some).or_else(|| {
                errors.add(
                    "datum",
                    "Vul een datum in als dd-mm-jjjj, of laat het leeg.",
                );
                None
            })
        };
        let part = if self.dagdeel.trim().is_empty() {
            Some(PartOfDay::Flexible)
        } else {
            PartOfDay::parse(&self.dagdeel)
                .map_err(|_| errors.add("dagdeel", "Kies een dagdeel."))
                .ok()
        };
        let group = if self.groep.is_some() {
            self.plaatsen
                .trim()
                .parse::<u16>()
                .ok()
                .and_then(|n| GroupSize::new(n).ok())
                .map(Some)
                .or_else(|| {
                    errors.add("plaatsen", "Vul in voor hoeveel mensen: 2 tot 500.");
                    None
                })
        } else {
            Some(None)
        };
        let (
            Some(direction),
            Some(category),
            Some(title),
            Some(text),
            Some(area),
            Some(recurrence),
            Some(date),
            Some(part_of_day),
            Some(group),
        ) = (
            direction, category, title, text, area, recurrence, date, part, group,
        )
        else {
            return Err(errors);
        };
        let input = NewListing {
            direction,
            category: CategoryName::parse(&category.name)
                .map_err(|_| FieldErrors::only("categorie", "Kies een soort hulp."))?,
            title,
            text,
            area,
            recurrence,
            date,
            part_of_day,
            urgent: self.spoed.is_some(),
            group,
        };
        match Listing::new(input, today()) {
            Ok(listing) => Ok((category.id, listing)),
            Err(e) => Err(match e {
                ListingError::UrgentOffer => {
                    FieldErrors::only("spoed", "Alleen een vraag kan spoed hebben.")
                }
                ListingError::UrgentGroup => FieldErrors::only(
                    "spoed",
                    "Een spoedvraag is voor één persoon, niet voor een groep.",
                ),
                ListingError::DateInPast => FieldErrors::only("datum", "Die datum is al voorbij."),
                _ => FieldErrors::only("_form", "Dit kan niet worden geplaatst."),
            }),
        }
    }
}

/// A listing as a page shows it.
pub fn listing_view(row: &ListingRow) -> Value {
    Value::from_serialize(context! {
        id => row.id,
        kind => row.direction().label(),
        direction => row.direction.clone(),
        category => row.category.clone(),
        title => row.title.clone(),
        text => row.body.clone(),
        district => row.district_name.clone().unwrap_or_else(|| "Hele stad".to_owned()),
        recurrence => if row.recurrence == "terugkerend" { "terugkerend" } else { "eenmalig" },
        date => row.on_date.map(nl_date),
        part_of_day => PartOfDay::parse(&row.part_of_day).map(|p| p.label()).unwrap_or("Flexibel"),
        urgent => row.urgent,
        group => row.is_group,
        places_left => row.places - row.taken,
        state => row.state.clone(),
        name => row.public_name.clone(),
        posted => nl_date(row.posted_on),
    })
}

/// Dutch for a refused marketplace step.
pub fn refusal(e: &mk::MarketError) -> Option<&'static str> {
    use baken_domain::market::{MatchError, ParticipantError};
    Some(match e {
        mk::MarketError::Listing(ListingError::Full) => {
            "Iemand anders was u net voor: deze vraag of dit aanbod is al gekoppeld."
        }
        mk::MarketError::Listing(ListingError::NotOpen(_)) => "Dit staat niet meer open.",
        mk::MarketError::Match(MatchError::OwnProposal) => {
            "U hebt dit zelf voorgesteld; de ander moet het accepteren."
        }
        mk::MarketError::Match(_) => "Dat kan niet meer bij deze koppeling.",
        mk::MarketError::Participant(ParticipantError::Unverified) => {
            "Bevestig eerst uw e-mailadres met de link die wij u stuurden."
        }
        mk::MarketError::Participant(ParticipantError::Blocked) => {
            "U kunt niet meer meedoen aan de buurtmarktplaats. Neem contact op met de makelaar."
        }
        mk::MarketError::OwnListing => "Dit is uw eigen vraag of aanbod.",
        mk::MarketError::Store(baken_store::StoreError::Duplicate(_)) => {
            "U hebt hier al op gereageerd."
        }
        _ => return None,
    })
}

/// A marketplace error as an `AppError` when it is not a user's mistake.
pub fn internal(e: mk::MarketError) -> AppError {
    match e {
        mk::MarketError::Store(s) => AppError::from(s),
        other => AppError::internal("marketplace")(other),
    }
}

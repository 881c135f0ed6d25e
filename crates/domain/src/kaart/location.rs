//! A place where services are offered (HSDS `location`): a community centre,
//! a school, the town hall. A provider adds one with a name and an address;
//! [`LocationDraft::parse`] checks every field at once.

use crate::{DistrictCode, Postcode};

/// What is wrong with a new location's field; the web layer shows the Dutch
/// message next to the field named by [`LocationError::field`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocationError {
    #[error("the location's name must be 2 to 120 characters")]
    Name,
    #[error("the street and number must be 2 to 200 characters")]
    Address,
    #[error("the postcode must be like 1234 AB")]
    Postcode,
    #[error("the place must be 2 to 80 characters")]
    City,
    #[error("unknown district '{0}'")]
    District(String),
}

impl LocationError {
    /// The form field (of the "new address" part of the service form).
    pub fn field(&self) -> &'static str {
        match self {
            LocationError::Name => "nieuw_naam",
            LocationError::Address => "nieuw_adres",
            LocationError::Postcode => "nieuw_postcode",
            LocationError::City => "nieuw_plaats",
            LocationError::District(_) => "nieuw_wijk",
        }
    }

    pub fn dutch(&self) -> String {
        match self {
            LocationError::Name => "Geef het adres een naam, zoals 'Buurthuis De Brug'.".into(),
            LocationError::Address => "Vul de straat en het huisnummer in.".into(),
            LocationError::Postcode => "Vul een postcode in zoals 1234 AB.".into(),
            LocationError::City => "Vul de plaats in.".into(),
            LocationError::District(_) => "Kies een wijk uit de lijst.".into(),
        }
    }
}

/// A new location as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LocationDraft {
    pub name: String,
    pub address: String,
    pub postcode: String,
    pub city: String,
    pub district: String,
}

/// A new location, every field checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLocation {
    pub name: String,
    pub address: String,
    pub postcode: Postcode,
    pub city: String,
    pub district: Option<DistrictCode>,
}

fn within(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.trim().chars().count())
}

impl LocationDraft {
    /// Nothing typed: no new location is asked for.
    pub fn is_empty(&self) -> bool {
        [
            &self.name,
            &self.address,
            &self.postcode,
            &self.city,
            &self.district,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }

    /// Every problem at once.
    pub fn parse(&self) -> Result<NewLocation, Vec<LocationError>> {
        let mut errors = Vec::new();
        if !within(&self.name, 2, 120) {
            errors.push(LocationError::Name);
        }
        if !within(&self.address, 2, 200) {
            errors.push(LocationError::Address);
        }
        let postcode = Postcode::parse(&self.postcode).ok();
        if postcode.is_none() {
            errors.push(LocationError::Postcode);
        }
        if !within(&self.city, 2, 80) {
            errors.push(LocationError::City);
        }
        let district = match self.district.trim() {
            "" => None,
            d => match DistrictCode::parse(d) {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(LocationError::District(d.chars().take(40).collect()));
                    None
                }
            },
        };
        match (postcode, errors.is_empty()) {
            (Some(postcode), true) => Ok(NewLocation {
                name: self.name.trim().to_owned(),
                address: self.address.trim().to_owned(),
                postcode,
                city: self.city.trim().to_owned(),
                district,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> LocationDraft {
        LocationDraft {
            name: "Buurthuis De Brug".into(),
            address: "Brugstraat 4".into(),
            postcode: "1015 bc".into(),
            city: "Proefstad".into(),
            district: "WK999902".into(),
        }
    }

    #[test]
    fn a_complete_location_parses_with_a_normalised_postcode() {
        let l = draft().parse().unwrap();
        assert_eq!(l.postcode.as_str(), "1015BC");
        assert_eq!(l.district.unwrap().as_str(), "WK999902");
        assert!(!draft().is_empty());
        assert!(LocationDraft::default().is_empty());
    }

    #[test]
    fn every_problem_is_named_with_its_field() {
        let d = LocationDraft {
            postcode: "10151".into(),
            district: "noord".into(),
            ..LocationDraft::default()
        };
        let fields: Vec<&str> = d.parse().unwrap_err().iter().map(|e| e.field()).collect();
        assert_eq!(
            fields,
            vec![
                "nieuw_naam",
                "nieuw_adres",
                "nieuw_postcode",
                "nieuw_plaats",
                "nieuw_wijk"
            ]
        );
    }
}

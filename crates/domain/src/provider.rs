//! Providers: the organisations that deliver services on the social map and
//! hold agreements in plans. A provider has a unique name and a sector.

use std::fmt;

/// The sector a provider works in. Stored as its code (`welzijn`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderSector {
    Welzijn,
    Wmo,
    Jeugd,
    Schuldhulp,
    Ggz,
    Wonen,
    Vrijwilligers,
    Mantelzorg,
    Participatie,
    /// Not given: what an import of an organisation from another source records.
    Overig,
}

/// A sector code that is not one of [`ProviderSector::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "provider sector must be one of {}; got '{input}'",
    ProviderSector::codes()
)]
pub struct SectorError {
    input: String,
}

impl ProviderSector {
    pub const ALL: [ProviderSector; 10] = [
        ProviderSector::Welzijn,
        ProviderSector::Wmo,
        ProviderSector::Jeugd,
        ProviderSector::Schuldhulp,
        ProviderSector::Ggz,
        ProviderSector::Wonen,
        ProviderSector::Vrijwilligers,
        ProviderSector::Mantelzorg,
        ProviderSector::Participatie,
        ProviderSector::Overig,
    ];

    /// The stored code. `Overig` is stored as `aanbieder`, the code imports
    /// have always written.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderSector::Welzijn => "welzijn",
            ProviderSector::Wmo => "wmo",
            ProviderSector::Jeugd => "jeugd",
            ProviderSector::Schuldhulp => "schuldhulp",
            ProviderSector::Ggz => "ggz",
            ProviderSector::Wonen => "wonen",
            ProviderSector::Vrijwilligers => "vrijwilligers",
            ProviderSector::Mantelzorg => "mantelzorg",
            ProviderSector::Participatie => "participatie",
            ProviderSector::Overig => "aanbieder",
        }
    }

    /// The Dutch name shown in the UI.
    pub fn label(self) -> &'static str {
        match self {
            ProviderSector::Welzijn => "Welzijn",
            ProviderSector::Wmo => "Wmo-ondersteuning",
            ProviderSector::Jeugd => "Jeugdhulp",
            ProviderSector::Schuldhulp => "Schuldhulp",
            ProviderSector::Ggz => "Ggz",
            ProviderSector::Wonen => "Wonen",
            ProviderSector::Vrijwilligers => "Vrijwilligerswerk",
            ProviderSector::Mantelzorg => "Mantelzorg",
            ProviderSector::Participatie => "Werk en participatie",
            ProviderSector::Overig => "Overig",
        }
    }

    pub fn parse(input: &str) -> Result<ProviderSector, SectorError> {
        let code = input.trim();
        ProviderSector::ALL
            .into_iter()
            .find(|s| s.as_str() == code)
            .ok_or_else(|| SectorError {
                input: code.chars().take(40).collect(),
            })
    }

    fn codes() -> String {
        ProviderSector::ALL.map(ProviderSector::as_str).join(", ")
    }
}

impl fmt::Display for ProviderSector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A provider's name: trimmed, 2–120 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderName(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProviderNameError {
    #[error("a provider's name must be 2 to 120 characters")]
    Length,
    #[error("a provider's name cannot hold control or invisible characters (such as a line break or a zero-width space)")]
    Control,
}

impl ProviderName {
    pub const MIN: usize = 2;
    pub const MAX: usize = 120;

    pub fn parse(input: &str) -> Result<ProviderName, ProviderNameError> {
        let name = input.trim();
        let n = name.chars().count();
        if !(Self::MIN..=Self::MAX).contains(&n) {
            return Err(ProviderNameError::Length);
        }
        if name.chars().any(|c| c.is_control() || is_invisible(c)) {
            return Err(ProviderNameError::Control);
        }
        Ok(ProviderName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the social map and its HSDS export say about a provider besides its
/// name: a description in plain language, a website and an e-mail address, each
/// optional (empty).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProviderDetails {
    description: String,
    website: String,
    email: String,
}

/// A field of [`ProviderDetails`] that does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetailsError {
    #[error("the description must be at most {max} characters; got {0}", max = ProviderDetails::MAX_DESCRIPTION)]
    DescriptionLength(usize),
    #[error("the description cannot hold control characters other than line breaks")]
    DescriptionControl,
    #[error("'{0}' is not a web address (http or https, with a domain such as voorbeeld.nl)")]
    Website(String),
    #[error("'{0}' is not an e-mail address")]
    Email(String),
}

impl DetailsError {
    /// The form field it belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            DetailsError::DescriptionLength(_) | DetailsError::DescriptionControl => "omschrijving",
            DetailsError::Website(_) => "website",
            DetailsError::Email(_) => "email",
        }
    }
}

impl ProviderDetails {
    pub const MAX_DESCRIPTION: usize = 2000;

    /// Checks all three fields and returns every problem. A website as people
    /// type it ("www.buurthuis.nl") becomes a full web address.
    pub fn parse(
        description: &str,
        website: &str,
        email: &str,
    ) -> Result<ProviderDetails, Vec<DetailsError>> {
        let mut errors = Vec::new();
        let description = description.trim().replace("\r\n", "\n");
        let n = description.chars().count();
        if n > Self::MAX_DESCRIPTION {
            errors.push(DetailsError::DescriptionLength(n));
        } else if description
            .chars()
            .any(|c| (c.is_control() && c != '\n') || is_invisible(c))
        {
            errors.push(DetailsError::DescriptionControl);
        }
        let website = match crate::kaart::service::web_address(website) {
            Some(w) => w,
            None => {
                errors.push(DetailsError::Website(
                    website.trim().chars().take(60).collect(),
                ));
                String::new()
            }
        };
        let email = email.trim().to_owned();
        if !email.is_empty() && !crate::kaart::service::is_email(&email) {
            errors.push(DetailsError::Email(email.chars().take(60).collect()));
        }
        if errors.is_empty() {
            Ok(ProviderDetails {
                description,
                website,
                email,
            })
        } else {
            Err(errors)
        }
    }

    pub fn description(&self) -> &str {
        &self.description
    }
    pub fn website(&self) -> &str {
        &self.website
    }
    pub fn email(&self) -> &str {
        &self.email
    }
}

/// Format characters that change how a name looks or reads without being seen:
/// zero-width spaces and joiners, direction marks and overrides, the word joiner
/// and invisible operators, the byte-order mark, the soft hyphen.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_sector_reads_back_from_its_code() {
        for s in ProviderSector::ALL {
            assert_eq!(ProviderSector::parse(s.as_str()), Ok(s));
        }
        let err = ProviderSector::parse("zorg").unwrap_err().to_string();
        assert!(
            err.contains("'zorg'") && err.contains("welzijn, wmo"),
            "{err}"
        );
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            ProviderName::parse("  Buurtwerk De Brug ").map(|n| n.0),
            Ok("Buurtwerk De Brug".into())
        );
        assert_eq!(ProviderName::parse(" a "), Err(ProviderNameError::Length));
        assert_eq!(
            ProviderName::parse(&"x".repeat(121)),
            Err(ProviderNameError::Length)
        );
        assert_eq!(
            ProviderName::parse("Een\nnaam"),
            Err(ProviderNameError::Control)
        );
        for invisible in [
            "Buurt\u{200B}werk",
            "Buurt\u{202E}krewtuub",
            "\u{FEFF}Buurtwerk",
        ] {
            assert_eq!(
                ProviderName::parse(invisible),
                Err(ProviderNameError::Control),
                "{invisible:?}"
            );
        }
    }

    #[test]
    fn details_are_checked_field_by_field() {
        let d = ProviderDetails::parse(
            "  Wij helpen.\r\nElke dag. ",
            "www.debrug.nl",
            " info@debrug.nl ",
        )
        .expect("valid");
        assert_eq!(d.description(), "Wij helpen.\nElke dag.");
        assert_eq!(d.website(), "https://www.debrug.nl");
        assert_eq!(d.email(), "info@debrug.nl");
        assert_eq!(
            ProviderDetails::parse("", "", ""),
            Ok(ProviderDetails::default())
        );
        let errs = ProviderDetails::parse(&"x".repeat(2001), "javascript:alert(1)", "geen-adres")
            .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(DetailsError::field).collect();
        assert_eq!(fields, ["omschrijving", "website", "email"]);
        assert_eq!(
            ProviderDetails::parse("Tekst\u{202E}", "", ""),
            Err(vec![DetailsError::DescriptionControl])
        );
    }

    proptest! {
        #[test]
        fn a_parsed_name_is_its_trimmed_input(s in "\\PC{0,130}") {
            match ProviderName::parse(&s) {
                Ok(n) => {
                    prop_assert_eq!(n.as_str(), s.trim());
                    let len = n.as_str().chars().count();
                    prop_assert!((ProviderName::MIN..=ProviderName::MAX).contains(&len));
                }
                Err(_) => {
                    let t = s.trim();
                    let len = t.chars().count();
                    prop_assert!(!(ProviderName::MIN..=ProviderName::MAX).contains(&len) || t.chars().any(|c| c.is_control() || is_invisible(c)));
                }
            }
        }
    }
}

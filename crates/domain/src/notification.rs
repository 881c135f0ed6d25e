//! Notifications: what waits for a user in Baken, and the e-mail address a
//! user may be told at ("er wacht iets op u in Baken" — never what it is).

use crate::coded::coded_enum;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    #[error("unknown notification kind '{0}'")]
    Kind(String),
    #[error("'{0}' is not an e-mail address like naam@gemeente.nl")]
    Email(String),
}

coded_enum!(
    /// Why a user is told something waits for them.
    NotificationKind, NotificationError::Kind, {
    ReferralDecided => ("verwijzing_besloten", "Besluit over een verwijzing"),
    ReferralWaiting => ("verwijzing_wacht", "Verwijzing wacht op uw besluit"),
    SignalAssigned => ("signaal_toegewezen", "Signaal aan u toegewezen"),
    HandedOver => ("overgedragen", "Contactpersoon overgedragen"),
    ProviderReported => ("aanbieder_rapporteerde", "Bericht van een aanbieder"),
    LicenceRenewal => ("licentie_verlengen", "Licentie verloopt binnenkort"),
    VogEnding => ("vog_verloopt", "VOG verloopt binnenkort"),
});

/// An e-mail address: one `@`, something before it, a domain with a dot
/// after it, no spaces, at most 254 characters. Stored lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<EmailAddress, NotificationError> {
        let t = input.trim();
        let refuse = || NotificationError::Email(t.chars().take(60).collect());
        if t.len() > 254 || t.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(refuse());
        }
        let (local, domain) = t.split_once('@').ok_or_else(refuse)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(refuse());
        }
        Ok(EmailAddress(t.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_address_needs_a_local_part_an_at_and_a_domain_with_a_dot() {
        assert_eq!(
            EmailAddress::parse(" An.Jansen@Proefstad.example ")
                .unwrap()
                .as_str(),
            "an.jansen@proefstad.example"
        );
        for bad in [
            "",
            "an",
            "@proefstad.nl",
            "an@",
            "an@proefstad",
            "an jansen@x.nl",
            "a@b@c.nl",
            "an@.nl",
            "an@x..nl",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kinds_parse_by_code() {
        for kind in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(kind.as_str()), Ok(*kind));
        }
        assert!(NotificationKind::parse("spam").is_err());
    }

    proptest! {
        #[test]
        fn every_plain_address_parses_and_keeps_its_parts(local in "[a-z0-9._-]{1,30}", host in "[a-z0-9-]{1,20}", tld in "[a-z]{2,6}") {
            let address = format!("{local}@{host}.{tld}");
            let parsed = EmailAddress::parse(&address).unwrap();
            prop_assert_eq!(parsed.as_str(), address.as_str());
        }
    }
}

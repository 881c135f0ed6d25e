//! Beheer (beheerder only): users, teams, districts and neighbourhoods,
//! providers, and the audit log.

pub mod areas;
pub mod audit;
pub mod audit_export;
pub mod providers;
pub mod teams;
pub mod user_form;
pub mod users;

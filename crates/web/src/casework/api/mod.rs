//! The casework JSON API (`/api/v1`), one file per resource.

pub mod common;
pub mod conversations;
pub mod plans;
pub mod referrals;
pub mod signals;
pub mod timeline;

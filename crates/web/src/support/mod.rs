//! The support layer: what every feature module needs and none of them owns —
//! the application state, the request context, errors and problem+json, page
//! rendering, routes, forms and choice lists, date and paging helpers, CSV
//! downloads, and audited reads.
//!
//! **Invariant:** nothing here imports a feature module (`foundation`,
//! `casework`, `kaart`) or the layers that gather them (`routes`, the crate
//! root). Feature modules import this layer; it imports none of them, so there
//! are no import cycles (`scripts/check_module_cycles.py` keeps it that way).

pub mod audit;
pub mod audit_budget;
pub mod back;
pub mod choice;
pub mod client;
pub mod csv;
pub mod ctx;
pub mod error;
pub mod form;
pub mod login_throttle;
pub mod paging;
pub mod password;
pub mod pre_csrf;
pub mod problem;
pub mod render;
pub mod route;
pub mod scorecard;
pub mod state;
pub mod templates;
pub mod time;

//! The casework pages (Dutch), one file per job.

pub mod bakens;
pub mod conference;
pub mod conversation;
pub mod dossier;
pub mod evaluation;
pub mod exports;
pub mod handover;
pub mod norms;
pub mod plan;
pub mod provider;
pub mod report;
pub mod resident;
pub mod shared;
pub mod team;
pub mod timeline;
pub mod triage;

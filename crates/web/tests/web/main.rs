//! The web crate's integration tests, in one binary (as zero2prod's
//! `tests/api/main.rs`): each module below used to be its own test binary, each
//! linked against the whole app after every change to the crate. Run one suite
//! with `cargo test -p baken-web --test web kaart_web::`.

mod access;
mod beheer;
mod care;
mod casework;
mod casework_api;
mod casework_lifecycle;
mod commissioning;
mod contracting;
mod dashboard;
mod exports;
mod gaps;
mod helpers;
mod input;
mod kaart_web;
mod market;
mod monitor;
mod notifications;
mod oidc;
mod second_factor;
mod survey;
mod web;

//! Integration tests for the stapelingsmonitor: one test binary (linking Parquet once),
//! one module per concern.

mod cli;
mod common;
mod golden;
mod inputs;
mod integrity;
mod link_report;
mod protection;
mod shuffle;

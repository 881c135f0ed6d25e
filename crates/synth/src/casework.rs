//! Synthetic demo data for the casework module.

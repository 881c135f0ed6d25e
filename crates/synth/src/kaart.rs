//! Synthetic demo data for the kaart module.

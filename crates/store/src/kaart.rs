//! Storage for the kaart module.

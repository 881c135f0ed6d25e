//! Domain types and rules of the kaart module.

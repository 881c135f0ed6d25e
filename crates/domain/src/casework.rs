//! Domain types and rules of the casework module.

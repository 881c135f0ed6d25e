//! Storage for the casework module.

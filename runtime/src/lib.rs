//! The zkmc runtime: loads a model's input and weight files, quantizes them to the declared
//! fixed-point types, generates the witness trace and runs the constraint checker. Proving and
//! verification with Winterfell will live here too.
//!
//! The runtime depends on the compiled [`zkm_air::Artifact`] only, never on the compiler or the
//! `.zkm` syntax.

pub mod inputs;
pub mod stark;

pub use inputs::{load, InputError, Loaded, QuantReport};

//! The zkmc runtime: loads a model's input and weight files, quantizes them to the declared
//! fixed-point types, generates the witness trace and runs the constraint checker. Proving and
//! verification with Winterfell ([`stark`], [`api`]) and the proof file ([`proof_file`]).
//!
//! The runtime depends on the compiled [`zkm_air::Artifact`] only, never on the compiler or the
//! `.zkm` syntax.

pub mod api;
pub mod guard;
pub mod inputs;
pub mod proof_file;
pub mod stark;
pub mod weights;

pub use inputs::{load, InputError, Loaded, QuantReport};

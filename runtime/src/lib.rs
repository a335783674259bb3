//! The zkmc runtime: loads a model's input and weight files, quantizes them to the declared
//! fixed-point types, and proves filled traces with Winterfell ([`api`], [`stark`]).
//! Verification is the standalone `zkm-verifier` crate, re-exported through [`api`].
//!
//! The runtime depends on the compiled [`zkm_air::Artifact`] only, never on the compiler or the
//! `.zkm` syntax.

pub mod api;
pub mod files;
pub mod inputs;
mod json_data;
pub mod memory;
pub mod openings;
pub mod stark;
pub mod weights;

pub use inputs::{load, InputError, Loaded, QuantReport};
pub use openings::{Openings, OpeningsError};
pub use zkm_verifier::{guard, proof_file};

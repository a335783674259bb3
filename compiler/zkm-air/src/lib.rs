//! The compiled AIR program: the one serializable boundary between zkmc's compiler and runtime.
//!
//! An [`AirProgram`] describes a trace (main columns, auxiliary LogUp columns, periodic columns),
//! its transition constraints as expression graphs with exact degrees, boundary assertions, bus
//! terms and the public input layout, plus the [`gadgets::Gadget`]s that generate the witness.
//! Each gadget emits its constraints and fills its columns in one file, so the two cannot drift.
//! [`check::check`] runs every constraint on a trace and reports every failure with its `.zkm`
//! location. This crate knows nothing about the `.zkm` syntax or the prover.

pub mod artifact;
pub mod aux;
pub mod boundary;
pub mod builder;
pub mod check;
pub mod expr;
pub mod field;
pub mod gadgets;
mod globals;
pub mod interp;
pub mod listing;
pub mod logup;
pub mod par;
pub mod program;
pub mod range;
mod shared_bus;
mod stack;
mod types;
pub mod validate;
pub mod witness;
pub mod zk;

pub use artifact::{Artifact, ArtifactError};
pub use builder::{AirBuilder, LayoutError, TensorId};
pub use program::{
    AirProgram, DeclInfo, DeclKind, Loc, NumType, OutputKind, PublicKind, PublicSlot, Segment,
    TensorInfo, Visibility,
};
pub use witness::{Inputs, Trace, WitnessError};

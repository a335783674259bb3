//! The zkmc compiler: semantic analysis of a parsed `.zkm` model into the typed tensor IR
//! ([`ir`]), and lowering of that IR into an AIR program ([`zkm_air::AirProgram`]).
//!
//! The compiler does no IO: source text arrives as strings (the stdlib is embedded) and results
//! leave as values plus [`zkm_diagnostics::Diagnostic`]s.

pub mod driver;
pub mod ir;
pub mod lower;
pub mod sema;

//! The `zkm-bench` harness: the benchmarked models ([`models`]), the measurement of one
//! (model, weight visibility) pair in a child process ([`measure`]), and the Markdown report
//! ([`report`]).

pub mod measure;
pub mod models;
pub mod report;

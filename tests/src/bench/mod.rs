//! The `zkm-bench` harness: the benchmarked models ([`models`]), the measurement of one
//! (model, weight visibility) pair in a child process ([`measure`]), the Markdown report
//! ([`report`]) and the cost of each layer ([`layers`]).

pub mod layers;
pub mod measure;
pub mod models;
pub mod report;

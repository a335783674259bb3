//! Test-only crate: see `tests/`. It holds the example fixtures the test suites share
//! ([`fixtures`]) and the harness of the `zkm-bench` benchmark binary (`src/bin/zkm-bench.rs`)
//! in [`bench`].

pub mod bench;
pub mod fixtures;

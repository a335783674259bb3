//! Test-only crate: see `tests/`. It also holds the harness of the `zkm-bench` benchmark binary
//! (`src/bin/zkm-bench.rs`) in [`bench`].

pub mod bench;

//! GPU kernels for zkmc: the trace low-degree extension (coset NTT over Goldilocks) and its
//! BLAKE3 Merkle commitment on wgpu compute shaders, bit-exact with Winterfell 0.13.1's CPU path
//! (`winter_math::fft::evaluate_poly_with_offset`, `Blake3_256::hash_elements`, `MerkleTree::new`).
//!
//! Field elements stay in winter-math's Montgomery form on the device; rows are hashed as the
//! canonical little-endian `u64` of each element. Columns are processed in batches whenever a
//! buffer would exceed the device's binding limits.

mod commit;
mod gpu;
mod lde;
mod run;

pub use gpu::Gpu;
pub use winter_math::fields::f64::BaseElement as Felt;

use std::time::Duration;

/// Why the GPU path is unavailable or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GpuError {
    /// No usable adapter (no driver, no device).
    NoAdapter(String),
    /// The device could not be created, lost, or a readback failed.
    Device(String),
    /// The request is outside what these kernels support (shape, width, size).
    Unsupported(String),
}

impl std::fmt::Display for GpuError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GpuError::NoAdapter(m) => write!(f, "no GPU adapter available: {m}"),
            GpuError::Device(m) => write!(f, "GPU device error: {m}"),
            GpuError::Unsupported(m) => write!(f, "unsupported by the GPU kernels: {m}"),
        }
    }
}

impl std::error::Error for GpuError {}

/// Wall-clock time spent in each phase of one GPU call (each phase ends with a device wait).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// Host → device transfers (including table preparation).
    pub upload: Duration,
    /// Kernel execution (LDE, row hashing, Merkle levels).
    pub compute: Duration,
    /// Device → host transfers and conversion into `Felt` / digests.
    pub download: Duration,
}

/// How much of each BLAKE3 digest the Merkle tree keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DigestLen {
    /// All 32 bytes (winter-crypto's `Blake3_256`).
    Full,
    /// The first 25 bytes, the other 7 zero (zkm-verifier's `Short`: BLAKE3 cut to 200 bits,
    /// digests zero-padded to 32 bytes where they are hashed again).
    Cut25,
}

/// Result of [`Gpu::commit_rows`]: Merkle leaves and nodes (`nodes[1]` is the root, `nodes[0]` is zero).
pub type Commitment = (Vec<[u8; 32]>, Vec<[u8; 32]>);

/// Result of [`Gpu::lde_and_commit`]: LDE columns, Merkle leaves, Merkle nodes.
pub type LdeCommit = (Vec<Vec<Felt>>, Vec<[u8; 32]>, Vec<[u8; 32]>);

const FIELD_WGSL: &str = include_str!("../shaders/field.wgsl");
const LDE_WGSL: &str = concat!(
    include_str!("../shaders/field.wgsl"),
    include_str!("../shaders/lde.wgsl")
);
const BLAKE3_WGSL: &str = concat!(
    include_str!("../shaders/field.wgsl"),
    include_str!("../shaders/blake3.wgsl")
);

const SHADERS: [(&str, &str); 3] = [
    ("field.wgsl", FIELD_WGSL),
    ("lde.wgsl", LDE_WGSL),
    ("blake3.wgsl", BLAKE3_WGSL),
];

/// The WGSL sources, for validation: (name, source). `lde.wgsl` and `blake3.wgsl` are the
/// complete modules compiled on the device (each prefixed with `field.wgsl`).
pub fn shaders() -> &'static [(&'static str, &'static str)] {
    &SHADERS
}

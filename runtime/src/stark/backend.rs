//! Choosing where the trace LDE and commitment run: `cpu`, `gpu`, or `auto` (the GPU when an
//! adapter exists and the trace is large enough to gain from it, else the CPU). Without the `gpu`
//! feature only the CPU exists.

use winterfell::math::FieldElement;
use winterfell::matrix::ColMatrix;
use winterfell::{StarkDomain, TraceInfo, TracePolyTable};
use zkm_air::field::Felt;

use super::lde::ZkmTraceLde;
use zkm_verifier::hash::ZkmHasher;

/// The requested backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Winterfell's CPU path.
    Cpu,
    /// The GPU; an error when no adapter exists.
    Gpu,
    /// The GPU when an adapter exists, otherwise the CPU.
    Auto,
}

/// An opened GPU.
#[cfg(feature = "gpu")]
pub type GpuHandle = std::sync::Arc<zkm_gpu_kernels::Gpu>;
/// Without the `gpu` feature there is no GPU to hold.
#[cfg(not(feature = "gpu"))]
#[derive(Clone, Debug)]
pub struct GpuHandle(());

/// What was chosen: the GPU (if any) and a line to show the user.
#[derive(Debug)]
pub struct Selected {
    /// The GPU to use, if any.
    pub gpu: Option<GpuHandle>,
    /// `"cpu"` or the adapter's name.
    pub device: String,
    /// A notice (e.g. no adapter found, falling back to the CPU).
    pub notice: Option<String>,
}

/// Opens the requested backend.
///
/// # Errors
/// `Backend::Gpu` when no adapter can be opened.
pub fn select(backend: Backend) -> Result<Selected, String> {
    let cpu = |notice| Selected {
        gpu: None,
        device: "cpu".into(),
        notice,
    };
    match backend {
        Backend::Cpu => Ok(cpu(None)),
        Backend::Gpu => open().map(|(gpu, device)| Selected {
            gpu: Some(gpu),
            device,
            notice: None,
        }),
        Backend::Auto => Ok(match open() {
            Ok((_, device)) if is_software(&device) => cpu(Some(format!(
                "only a software adapter ({device}); proving on the CPU"
            ))),
            Ok((gpu, device)) => Selected {
                gpu: Some(gpu),
                device,
                notice: None,
            },
            Err(why) => cpu(Some(format!("no usable GPU ({why}); proving on the CPU"))),
        }),
    }
}

/// The smallest main trace, in cells, for which `auto` looks for a GPU. Opening a device and
/// compiling its shaders costs tens of milliseconds and tens of megabytes, more than the CPU
/// spends on the LDE and commitment of a smaller trace. No hardware-GPU timing has fixed this
/// bound yet: revisit it with the GPU benchmark.
pub const AUTO_MIN_MAIN_CELLS: usize = 1 << 18;

/// [`select`] for proving `program`: `auto` stays on the CPU without probing for an adapter when
/// the main trace has fewer than [`AUTO_MIN_MAIN_CELLS`] cells.
///
/// # Errors
/// As [`select`].
pub fn select_for(backend: Backend, program: &zkm_air::AirProgram) -> Result<Selected, String> {
    let cells = program.trace_len.saturating_mul(program.main_columns.len());
    match backend {
        Backend::Auto if cells < AUTO_MIN_MAIN_CELLS => select(Backend::Cpu),
        _ => select(backend),
    }
}

/// Software rasterisers (Mesa's llvmpipe/lavapipe, SwiftShader, WARP) run shaders on the CPU,
/// slower than the CPU path itself: `auto` does not pick them.
pub fn is_software(name: &str) -> bool {
    let name = name.to_lowercase();
    [
        "llvmpipe",
        "lavapipe",
        "swiftshader",
        "softpipe",
        "basic render",
    ]
    .iter()
    .any(|s| name.contains(s))
}

#[cfg(feature = "gpu")]
fn open() -> Result<(GpuHandle, String), String> {
    let gpu = zkm_gpu_kernels::Gpu::new().map_err(|e| e.to_string())?;
    let name = gpu.adapter_name().to_owned();
    Ok((std::sync::Arc::new(gpu), name))
}

#[cfg(not(feature = "gpu"))]
fn open() -> Result<(GpuHandle, String), String> {
    Err("this zkmc was built without the `gpu` feature".into())
}

/// A trace LDE extended on the GPU, with the main segment's polynomials.
type GpuLde<E, H> = (ZkmTraceLde<E, H>, TracePolyTable<E>);

/// How much of each digest the GPU keeps for the hash `H`.
#[cfg(feature = "gpu")]
fn digest_len<H: ZkmHasher>() -> zkm_gpu_kernels::DigestLen {
    match H::CUT {
        true => zkm_gpu_kernels::DigestLen::Cut25,
        false => zkm_gpu_kernels::DigestLen::Full,
    }
}

/// The main segment's LDE and commitment on the GPU, with the interpolated polynomials.
#[cfg(feature = "gpu")]
pub(crate) fn gpu_trace_lde<E, H>(
    gpu: &GpuHandle,
    info: &TraceInfo,
    main: &ColMatrix<Felt>,
    domain: &StarkDomain<Felt>,
) -> Result<GpuLde<E, H>, String>
where
    E: FieldElement<BaseField = Felt>,
    H: ZkmHasher,
{
    let polys = super::dft::interpolate(main);
    let coeffs: Vec<Vec<Felt>> = polys.columns().map(|c| c.to_vec()).collect();
    let blowup = domain.trace_to_lde_blowup();
    let (lde, leaves, nodes) = gpu
        .lde_and_commit(&coeffs, blowup, digest_len::<H>())
        .map_err(|e| e.to_string())?;
    let gpu_lde = ZkmTraceLde::from_gpu(info, lde, leaves, nodes, blowup)?;
    Ok((gpu_lde, TracePolyTable::new(polys)))
}

/// Without the `gpu` feature the GPU path is never taken.
#[cfg(not(feature = "gpu"))]
pub(crate) fn gpu_trace_lde<E, H>(
    _gpu: &GpuHandle,
    _info: &TraceInfo,
    _main: &ColMatrix<Felt>,
    _domain: &StarkDomain<Felt>,
) -> Result<GpuLde<E, H>, String>
where
    E: FieldElement<BaseField = Felt>,
    H: ZkmHasher,
{
    Err("built without the `gpu` feature".into())
}

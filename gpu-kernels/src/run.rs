//! Orchestration: validation, column batching, and the public LDE / commitment entry points.

use crate::commit::{tile_rows, ColumnSlabs, CommitBuffers};
use crate::lde::LdeTables;
use crate::DigestLen;
use crate::{Commitment, Felt, Gpu, GpuError, LdeCommit, Timings};
use std::time::Instant;

/// Widest row the BLAKE3 kernel hashes (two chunks).
const MAX_WIDTH: usize = 255;
/// Largest LDE domain accepted (u32 indexing on the device).
const MAX_ROWS: usize = 1 << 28;

/// What the device starts from.
#[derive(Clone, Copy)]
enum Source<'a> {
    /// Coefficients (cols × n) and a blowup factor: run the LDE first.
    Coeffs(&'a [Vec<Felt>], usize),
    /// Evaluations (cols × rows), committed as they are.
    Evals(&'a [Vec<Felt>]),
}

impl Source<'_> {
    fn columns(&self) -> &[Vec<Felt>] {
        match self {
            Source::Coeffs(c, _) | Source::Evals(c) => c,
        }
    }
    fn blowup(&self) -> usize {
        match self {
            Source::Coeffs(_, b) => *b,
            Source::Evals(_) => 1,
        }
    }
}

/// Column batching: `per_slab` columns per device buffer, `group` columns resident at once.
#[derive(Debug, Clone, Copy)]
struct Plan {
    n: usize,
    rows: usize,
    cols: usize,
    per_slab: usize,
    group: usize,
}

impl Plan {
    fn slabs_per_group(&self) -> usize {
        self.group.div_ceil(self.per_slab)
    }
}

fn unsupported(msg: String) -> GpuError {
    GpuError::Unsupported(msg)
}

/// Checks the input shape and chooses the batching for a device with `max_binding` bytes per binding.
fn plan(src: Source<'_>, commit: bool, max_binding: u64) -> Result<Plan, GpuError> {
    let columns = src.columns();
    let cols = columns.len();
    let n = columns.first().map_or(0, Vec::len);
    let blowup = src.blowup();
    if cols == 0 {
        return Err(unsupported("no columns".into()));
    }
    if let Some(c) = columns.iter().position(|c| c.len() != n) {
        return Err(unsupported(format!(
            "column {c} has length {}, column 0 has {n}",
            columns[c].len()
        )));
    }
    if !n.is_power_of_two() || !blowup.is_power_of_two() {
        return Err(unsupported(format!(
            "length {n} and blowup {blowup} must be powers of two"
        )));
    }
    let rows = n * blowup;
    if !(2..=MAX_ROWS).contains(&rows) {
        return Err(unsupported(format!("{rows} rows (need 2 to 2^28)")));
    }
    if commit && cols > MAX_WIDTH {
        return Err(unsupported(format!(
            "rows of {cols} elements (at most {MAX_WIDTH} can be hashed)"
        )));
    }
    if (rows as u64) * 32 > max_binding {
        return Err(unsupported(format!(
            "{rows} rows exceed the device binding limit of {max_binding} bytes"
        )));
    }
    let fit = (max_binding / (rows as u64 * 8)) as usize;
    let (per_slab, group) = if fit >= cols {
        (cols, cols)
    } else if fit >= 8 {
        (fit / 8 * 8, fit / 8 * 8)
    } else {
        (fit, 8)
    };
    Ok(Plan {
        n,
        rows,
        cols,
        per_slab,
        group,
    })
}

/// Raw Montgomery words of columns `range`, concatenated column-major.
fn words(columns: &[Vec<Felt>], range: std::ops::Range<usize>) -> Vec<u64> {
    columns[range]
        .iter()
        .flat_map(|c| c.iter().map(Felt::inner))
        .collect()
}

/// Splits column-major little-endian bytes into `cols` columns of `rows` elements.
fn to_columns(bytes: &[u8], cols: usize, rows: usize) -> Vec<Vec<Felt>> {
    let felt = |b: &[u8]| Felt::from_mont(u64::from_le_bytes(b.try_into().expect("8 bytes")));
    (0..cols)
        .map(|c| {
            bytes[c * rows * 8..(c + 1) * rows * 8]
                .chunks_exact(8)
                .map(felt)
                .collect()
        })
        .collect()
}

fn to_digests(bytes: &[u8]) -> Vec<[u8; 32]> {
    bytes
        .chunks_exact(32)
        .map(|b| b.try_into().expect("32 bytes"))
        .collect()
}

/// Device buffers reused across column groups.
struct Workspace {
    tables: Option<LdeTables>,
    coeffs: Option<wgpu::Buffer>,
    slabs: Vec<wgpu::Buffer>,
    commit: Option<CommitBuffers>,
    tile: Option<wgpu::Buffer>,
}

impl Gpu {
    fn workspace(&self, src: Source<'_>, p: &Plan, commit: Option<DigestLen>) -> Workspace {
        let (len, commit) = (commit, commit.is_some());
        let usage = wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST;
        let lde = matches!(src, Source::Coeffs(..));
        let slab_bytes = (p.per_slab * p.rows * 8) as u64;
        let tiled = commit && p.slabs_per_group() > 1;
        Workspace {
            tables: lde.then(|| self.lde_tables(p.n, src.blowup())),
            coeffs: lde.then(|| {
                self.storage(
                    "coefficients",
                    (p.per_slab * p.n * 8) as u64,
                    wgpu::BufferUsages::COPY_DST,
                )
            }),
            slabs: (0..p.slabs_per_group())
                .map(|_| self.storage("columns", slab_bytes, usage))
                .collect(),
            commit: len.map(|len| self.commit_buffers(p.rows, p.cols, len)),
            tile: tiled.then(|| {
                self.storage(
                    "tile",
                    (8 * tile_rows(self.max_binding, p.rows) * 8) as u64,
                    usage,
                )
            }),
        }
    }
}

/// One call in progress: its input, batching, device buffers, outputs and timings.
struct Job<'a> {
    gpu: &'a Gpu,
    src: Source<'a>,
    p: Plan,
    ws: Workspace,
    want: bool,
    out: Vec<Vec<Felt>>,
    tm: Timings,
}

impl Job<'_> {
    /// Uploads (and extends) columns `range` into slab `k`.
    fn load_slab(&mut self, k: usize, range: std::ops::Range<usize>) -> Result<(), GpuError> {
        let (gpu, ws) = (self.gpu, &self.ws);
        let t = Instant::now();
        let data = words(self.src.columns(), range.clone());
        let target = ws.coeffs.as_ref().unwrap_or(&ws.slabs[k]);
        gpu.queue
            .write_buffer(target, 0, bytemuck::cast_slice(&data));
        gpu.submit_wait(None)?;
        self.tm.upload += t.elapsed();
        if let Some(tables) = &ws.tables {
            let t = Instant::now();
            let mut enc = gpu.encoder();
            gpu.encode_lde(&mut enc, tables, target, &ws.slabs[k], range.len());
            gpu.submit_wait(Some(enc))?;
            self.tm.compute += t.elapsed();
        }
        Ok(())
    }

    /// Absorbs the group's columns `g0 .. g0 + gcols` into the row hashes.
    fn absorb(&mut self, g0: usize, gcols: usize) -> Result<(), GpuError> {
        let (gpu, ws) = (self.gpu, &self.ws);
        if let Some(cb) = &ws.commit {
            let t = Instant::now();
            let mut enc = gpu.encoder();
            let cols = ColumnSlabs {
                slabs: &ws.slabs,
                per_slab: self.p.per_slab,
                gcol0: g0,
                ncols: gcols,
            };
            gpu.encode_absorb(&mut enc, cb, &cols, ws.tile.as_ref());
            gpu.submit_wait(Some(enc))?;
            self.tm.compute += t.elapsed();
        }
        Ok(())
    }

    /// Runs one column group: load every slab, absorb into the row hashes, download if asked.
    fn run_group(&mut self, g0: usize) -> Result<(), GpuError> {
        let p = self.p;
        let gcols = p.group.min(p.cols - g0);
        let starts: Vec<usize> = (g0..g0 + gcols).step_by(p.per_slab).collect();
        for (k, &s0) in starts.iter().enumerate() {
            self.load_slab(k, s0..(s0 + p.per_slab).min(g0 + gcols))?;
        }
        self.absorb(g0, gcols)?;
        if self.want {
            for (k, &s0) in starts.iter().enumerate() {
                let t = Instant::now();
                let scols = p.per_slab.min(g0 + gcols - s0);
                let bytes = (scols * p.rows * 8) as u64;
                let cols = self.gpu.read(&self.ws.slabs[k], 0, bytes, |b| {
                    to_columns(b, scols, p.rows)
                })?;
                self.out.extend(cols);
                self.tm.download += t.elapsed();
            }
        }
        Ok(())
    }

    /// Builds the Merkle tree and downloads leaves and nodes.
    fn finish_commit(&mut self) -> Result<Commitment, GpuError> {
        let Some(cb) = &self.ws.commit else {
            return Ok((Vec::new(), Vec::new()));
        };
        let gpu = self.gpu;
        let t = Instant::now();
        let mut enc = gpu.encoder();
        gpu.encode_merkle(&mut enc, cb);
        gpu.submit_wait(Some(enc))?;
        self.tm.compute += t.elapsed();
        let t = Instant::now();
        let bytes = cb.rows as u64 * 32;
        let leaves = gpu.read(&cb.leaves, 0, bytes, to_digests)?;
        let mut nodes = gpu.read(&cb.nodes, 0, bytes, to_digests)?;
        nodes[0] = [0; 32];
        self.tm.download += t.elapsed();
        Ok((leaves, nodes))
    }
}

impl Gpu {
    /// Runs `execute_inner`, turning captured validation and out-of-memory errors into `GpuError::Device`.
    fn execute(
        &self,
        src: Source<'_>,
        want: bool,
        commit: Option<DigestLen>,
    ) -> Result<(LdeCommit, Timings), GpuError> {
        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let invalid = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let result = self.execute_inner(src, want, commit);
        let invalid = pollster::block_on(invalid.pop());
        let oom = pollster::block_on(oom.pop());
        match invalid.or(oom) {
            Some(e) => Err(GpuError::Device(e.to_string())),
            None => result,
        }
    }

    fn execute_inner(
        &self,
        src: Source<'_>,
        want: bool,
        commit: Option<DigestLen>,
    ) -> Result<(LdeCommit, Timings), GpuError> {
        let p = plan(src, commit.is_some(), self.max_binding)?;
        let t = Instant::now();
        let ws = self.workspace(src, &p, commit);
        let tm = Timings {
            upload: t.elapsed(),
            ..Timings::default()
        };
        let out = Vec::with_capacity(if want { p.cols } else { 0 });
        let mut job = Job {
            gpu: self,
            src,
            p,
            ws,
            want,
            out,
            tm,
        };
        for g0 in (0..p.cols).step_by(p.group) {
            job.run_group(g0)?;
        }
        let (leaves, nodes) = job.finish_commit()?;
        Ok(((job.out, leaves, nodes), job.tm))
    }

    /// Evaluates each polynomial (coefficients, low degree first, every column the same power-of-two length n)
    /// over the coset `GENERATOR·⟨ω_{n·blowup}⟩` in natural order: column c of the result equals
    /// `winter_math::fft::evaluate_poly_with_offset(&coeffs[c], &get_twiddles(n), Felt::GENERATOR, blowup)`.
    pub fn lde(&self, coeffs: &[Vec<Felt>], blowup: usize) -> Result<Vec<Vec<Felt>>, GpuError> {
        Ok(self
            .execute(Source::Coeffs(coeffs, blowup), true, None)?
            .0
             .0)
    }

    /// Leaves and nodes of the Merkle tree over the rows of `columns` (row r = [columns[0][r], columns[1][r], ...]),
    /// exactly as `MerkleTree::<Blake3_256<Felt>>::new(leaves)` with `leaves[r] = Blake3_256::hash_elements(row r)`
    /// builds it (every digest cut to 25 bytes with [`DigestLen::Cut25`]: zkm-verifier's `Short`),
    /// in the layout `MerkleTree::from_raw_parts(nodes, leaves)` expects. Digests as `[u8; 32]`.
    pub fn commit_rows(
        &self,
        columns: &[Vec<Felt>],
        len: DigestLen,
    ) -> Result<Commitment, GpuError> {
        let ((_, leaves, nodes), _) = self.execute(Source::Evals(columns), false, Some(len))?;
        Ok((leaves, nodes))
    }

    /// `lde` then `commit_rows` on its result, keeping the data on the device in between; returns both.
    pub fn lde_and_commit(
        &self,
        coeffs: &[Vec<Felt>],
        blowup: usize,
        len: DigestLen,
    ) -> Result<LdeCommit, GpuError> {
        Ok(self.lde_and_commit_timed(coeffs, blowup, len)?.0)
    }

    /// [`Gpu::lde_and_commit`] plus the time spent in upload, compute and download.
    pub fn lde_and_commit_timed(
        &self,
        coeffs: &[Vec<Felt>],
        blowup: usize,
        len: DigestLen,
    ) -> Result<(LdeCommit, Timings), GpuError> {
        self.execute(Source::Coeffs(coeffs, blowup), true, Some(len))
    }
}

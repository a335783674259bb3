//! Coset low-degree extension on the device: tables, bit-reverse + scaling, butterfly stages.

use crate::{Felt, Gpu};
use wgpu::util::DeviceExt;
use winter_math::{FieldElement, StarkField};

/// log2 of the largest tile `lde_local` transforms in workgroup memory (2048 elements, 16 KiB).
const MAX_TILE_LOG: u32 = 11;

/// Device copies of the tables one LDE shape needs (Montgomery form).
pub(crate) struct LdeTables {
    /// `GENERATOR^j` for `j < n`.
    powers: wgpu::Buffer,
    /// `omega_N^k` for `k < N/2`, natural order.
    twiddles: wgpu::Buffer,
    n_log: u32,
    big_log: u32,
    blowup_log: u32,
}

/// `base^0, base^1, ..., base^(len-1)` as raw Montgomery words.
fn power_series(base: Felt, len: usize) -> Vec<u64> {
    let mut out = Vec::with_capacity(len);
    let mut acc = Felt::ONE;
    for _ in 0..len {
        out.push(acc.inner());
        acc *= base;
    }
    out
}

impl Gpu {
    /// Builds and uploads the coset powers and twiddles for `n` coefficients and blowup `blowup`.
    pub(crate) fn lde_tables(&self, n: usize, blowup: usize) -> LdeTables {
        let rows = n * blowup;
        let omega = Felt::get_root_of_unity(rows.ilog2());
        let init = |label: &str, words: &[u64]| {
            self.device
                .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some(label),
                    contents: bytemuck::cast_slice(words),
                    usage: wgpu::BufferUsages::STORAGE,
                })
        };
        LdeTables {
            powers: init("coset powers", &power_series(Felt::GENERATOR, n)),
            twiddles: init("twiddles", &power_series(omega, rows / 2)),
            n_log: n.ilog2(),
            big_log: rows.ilog2(),
            blowup_log: blowup.ilog2(),
        }
    }

    /// Records the LDE of `cols` columns: `coeffs` (cols × n) → `data` (cols × N), column-major.
    pub(crate) fn encode_lde(
        &self,
        enc: &mut wgpu::CommandEncoder,
        t: &LdeTables,
        coeffs: &wgpu::Buffer,
        data: &wgpu::Buffer,
        cols: usize,
    ) {
        let total = (cols as u64) << t.big_log;
        let tile_log = t.big_log.min(MAX_TILE_LOG);
        let tiles = total >> tile_log;
        let params = [
            tiles as u32,
            t.big_log,
            t.n_log,
            t.blowup_log,
            tile_log,
            0,
            0,
            0,
        ];
        let buffers = [(1, &t.powers), (2, coeffs), (3, data), (4, &t.twiddles)];
        self.dispatch_groups(enc, &self.lde_local, &params, &buffers, tiles);
        for m_log in tile_log.max(t.blowup_log)..t.big_log {
            let params = [
                (total / 2) as u32,
                t.big_log,
                m_log,
                t.blowup_log,
                tile_log,
                0,
                0,
                0,
            ];
            self.dispatch(
                enc,
                &self.butterfly,
                &params,
                &[(1, &t.twiddles), (3, data)],
                total / 2,
            );
        }
    }
}

//! Row hashing (leaves) and Merkle levels on the device.

use crate::Gpu;

/// Device buffers of one commitment: per-row chaining values, leaves, nodes.
pub(crate) struct CommitBuffers {
    pub(crate) state: wgpu::Buffer,
    pub(crate) leaves: wgpu::Buffer,
    pub(crate) nodes: wgpu::Buffer,
    pub(crate) rows: usize,
    pub(crate) width: usize,
    /// 1 when digests are cut to 25 bytes ([`crate::DigestLen::Cut25`]), else 0.
    pub(crate) cut: u32,
}

/// Where the columns of one absorb step live on the device.
pub(crate) struct ColumnSlabs<'a> {
    /// Buffers holding consecutive columns, `per_slab` columns each (column-major, `rows` long).
    pub(crate) slabs: &'a [wgpu::Buffer],
    pub(crate) per_slab: usize,
    /// Global index of the first column (a multiple of 8) and number of columns.
    pub(crate) gcol0: usize,
    pub(crate) ncols: usize,
}

impl Gpu {
    pub(crate) fn commit_buffers(
        &self,
        rows: usize,
        width: usize,
        len: crate::DigestLen,
    ) -> CommitBuffers {
        let bytes = rows as u64 * 32;
        let copy = wgpu::BufferUsages::COPY_SRC;
        CommitBuffers {
            state: self.storage("row state", bytes, wgpu::BufferUsages::empty()),
            leaves: self.storage("leaves", bytes, copy),
            nodes: self.storage("nodes", bytes, copy),
            rows,
            width,
            cut: u32::from(len == crate::DigestLen::Cut25),
        }
    }

    /// Records absorbing `cols` into every row's hash; `tile` is needed when it spans several slabs.
    pub(crate) fn encode_absorb(
        &self,
        enc: &mut wgpu::CommandEncoder,
        cb: &CommitBuffers,
        cols: &ColumnSlabs<'_>,
        tile: Option<&wgpu::Buffer>,
    ) {
        let rows = cb.rows as u32;
        let fixed = [cols.ncols as u32, cols.gcol0 as u32, cb.width as u32, 0];
        match tile {
            None => {
                let params = [rows, 0, rows, 0, fixed[0], fixed[1], fixed[2], cb.cut];
                self.dispatch(
                    enc,
                    &self.absorb,
                    &params,
                    &[(1, &cols.slabs[0]), (2, &cb.state), (3, &cb.leaves)],
                    cb.rows as u64,
                );
            }
            Some(tile) => self.encode_absorb_tiled(enc, cb, cols, tile, fixed),
        }
    }

    /// Copies row tiles of up to 8 columns from several slabs into `tile`, absorbing each tile.
    fn encode_absorb_tiled(
        &self,
        enc: &mut wgpu::CommandEncoder,
        cb: &CommitBuffers,
        cols: &ColumnSlabs<'_>,
        tile: &wgpu::Buffer,
        fixed: [u32; 4],
    ) {
        let tile_rows = tile_rows(self.max_binding, cb.rows);
        for r0 in (0..cb.rows).step_by(tile_rows) {
            for j in 0..cols.ncols {
                let (slab, c) = (j / cols.per_slab, j % cols.per_slab);
                let from = ((c * cb.rows + r0) * 8) as u64;
                enc.copy_buffer_to_buffer(
                    &cols.slabs[slab],
                    from,
                    tile,
                    (j * tile_rows * 8) as u64,
                    Some((tile_rows * 8) as u64),
                );
            }
            let params = [
                tile_rows as u32,
                r0 as u32,
                tile_rows as u32,
                0,
                fixed[0],
                fixed[1],
                fixed[2],
                cb.cut,
            ];
            self.dispatch(
                enc,
                &self.absorb,
                &params,
                &[(1, tile), (2, &cb.state), (3, &cb.leaves)],
                tile_rows as u64,
            );
        }
    }

    /// Records every Merkle level: nodes[N/2 + i] from leaves, then nodes[k] from nodes[2k], nodes[2k+1].
    pub(crate) fn encode_merkle(&self, enc: &mut wgpu::CommandEncoder, cb: &CommitBuffers) {
        let mut half = cb.rows / 2;
        let mut from_leaves = 1;
        while half >= 1 {
            let params = [half as u32, half as u32, from_leaves, cb.cut];
            self.dispatch(
                enc,
                &self.merkle,
                &params,
                &[(1, &cb.leaves), (2, &cb.nodes)],
                half as u64,
            );
            from_leaves = 0;
            half /= 2;
        }
    }
}

/// Rows per tile so that a tile of 8 columns fits one binding (a power of two, at most `rows`).
pub(crate) fn tile_rows(max_binding: u64, rows: usize) -> usize {
    let fit = (max_binding / 64).max(1);
    let pow = 1usize << fit.ilog2();
    pow.min(rows)
}

//! Where a private-kernel convolution (`private_conv.rs`) puts every gathered input element:
//! the block of each tap, the filler rows that make every element read equally often (one row
//! per element read fewer times than the most-read one, receiving it as many times as it lacks),
//! the gather lanes, and the periodic columns `IDX_j` and `XG_j` (the receive's multiplicity)
//! the verifier evaluates. Everything here is a function of the geometry alone, shared by the
//! lowering, the witness and the compiler's row planning.

use super::conv::ConvGeometry;

/// The most gather lanes a private-kernel convolution uses.
pub const MAX_LANES: usize = 16;

/// One gathered element: lane `lane` of row `row` receives input element `input`, `mult` times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Gather {
    /// The row.
    pub row: usize,
    /// The lane (column `XV_lane`).
    pub lane: usize,
    /// The input element.
    pub input: usize,
    /// How many times it is received (1 on tap rows).
    pub mult: u32,
}

/// How often one output channel's taps read each input element, and how many elements are read
/// fewer times than the most-read one (one filler row each).
fn read_counts(g: &ConvGeometry) -> (Vec<u32>, usize) {
    let mut count = vec![0u32; g.input_len()];
    g.for_each_tap_of(0..1, |_, input, _| count[input] += 1);
    let reads = count.iter().copied().max().unwrap_or(0).max(1);
    let filler = count.iter().filter(|&&c| c < reads).count();
    (count, filler)
}

/// Where each gathered element goes: the layout every part of the gadget derives from the
/// geometry alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvLayout {
    /// Taps per output `T`.
    pub taps: usize,
    /// Output positions `P`.
    pub positions: usize,
    /// Gather lanes `k`: position `p` of a block is lane `p mod k` of its row `⌊p/k⌋`.
    pub lanes: usize,
    /// Rows per block `L = max(⌈P/k⌉, CO)`.
    pub block: usize,
    /// Output channels `CO` (the kernel rows of each block).
    pub out_channels: usize,
    /// Every gather: the tap gathers (multiplicity 1), then the filler rows (lane 0).
    pub gathers: Vec<Gather>,
    /// Gathers that are taps (the rest of `gathers` is filler).
    pub tap_rows: usize,
    /// How often every element of `x` is received.
    pub reads: u32,
}

impl ConvLayout {
    /// The layout of `g` (a valid convolution, not a pool), with the fewest lanes (a power of
    /// two, at most [`MAX_LANES`]) whose rows fit in the rows the convolution's own input or
    /// output already takes: the shortest trace the convolution needs.
    pub fn of(g: &ConvGeometry) -> ConvLayout {
        ConvLayout::within(g, g.input_len().max(g.output_len()))
    }

    /// The layout of `g` with the fewest lanes whose rows fit in `rows`, or else the fewest with
    /// which more lanes no longer shorten it (at most [`MAX_LANES`]): a longer trace takes fewer
    /// gather columns.
    pub fn within(g: &ConvGeometry, rows: usize) -> ConvLayout {
        let [oh, ow] = g.output().unwrap_or([0, 0]);
        let (taps, positions) = (g.in_channels * g.kernel[0] * g.kernel[1], oh * ow);
        let counts = read_counts(g);
        let filler = counts.1;
        let rows_with = |k: usize| (taps + 1) * positions.div_ceil(k).max(g.out_channels) + filler;
        let mut lanes = 1;
        while lanes < MAX_LANES
            && rows_with(lanes) > rows
            && rows_with(2 * lanes) < rows_with(lanes)
        {
            lanes *= 2;
        }
        ConvLayout::build(g, lanes, counts)
    }

    /// The layout of `g` with `lanes` gather lanes (a power of two, at most [`MAX_LANES`]: the
    /// number of `XV` columns a compiled gadget has).
    pub fn with_lanes(g: &ConvGeometry, lanes: usize) -> ConvLayout {
        ConvLayout::build(g, lanes, read_counts(g))
    }

    /// The layout with `lanes` lanes, given `g`'s [`read_counts`].
    fn build(g: &ConvGeometry, lanes: usize, (count, filler): (Vec<u32>, usize)) -> ConvLayout {
        let [oh, ow] = g.output().unwrap_or([0, 0]);
        let (taps, positions) = (g.in_channels * g.kernel[0] * g.kernel[1], oh * ow);
        let reads = count.iter().copied().max().unwrap_or(0).max(1);
        let block = positions.div_ceil(lanes).max(g.out_channels);
        let mut gathers = Vec::with_capacity(taps * positions + filler);
        // Output channel 0's taps: `out = p` and kernel index `k = t`.
        g.for_each_tap_of(0..1, |p, input, t| {
            let (row, lane) = (t * block + p / lanes, p % lanes);
            gathers.push(Gather {
                row,
                lane,
                input,
                mult: 1,
            });
        });
        gathers.sort_unstable();
        let tap_rows = gathers.len();
        let short = count.iter().enumerate().filter(|&(_, &c)| c < reads);
        let fill = ((taps + 1) * block..)
            .zip(short)
            .map(|(row, (input, &c))| Gather {
                row,
                lane: 0,
                input,
                mult: reads - c,
            });
        gathers.extend(fill);
        ConvLayout {
            taps,
            positions,
            lanes,
            block,
            out_channels: g.out_channels,
            gathers,
            tap_rows,
            reads,
        }
    }

    /// Rows of the blocks, `(T + 1)·L`.
    pub fn block_rows(&self) -> usize {
        (self.taps + 1) * self.block
    }

    /// Rows the gadget uses: the blocks and the filler rows.
    pub fn rows(&self) -> usize {
        self.block_rows() + (self.gathers.len() - self.tap_rows)
    }

    /// Rows of the bias block whose lane `lane` holds a position (`p = r·k + lane < P`).
    pub fn bias_rows(&self, lane: usize) -> usize {
        self.positions.saturating_sub(lane).div_ceil(self.lanes)
    }

    /// The period of the gadget's periodic columns: its rows, rounded up to a power of two.
    fn period(&self) -> usize {
        self.rows().next_power_of_two().max(2)
    }

    /// The periodic column `KG`: 1 on the kernel's rows (row `co < CO` of every tap block).
    pub(crate) fn kernel_rows(&self) -> Vec<u64> {
        let mut gate = vec![0u64; self.period()];
        for t in 0..self.taps {
            let start = t * self.block;
            gate[start..start + self.out_channels].fill(1);
        }
        gate
    }

    /// The periodic columns `IDX_j` and `XG_j` of every lane `j`. Where `XG_j` is 0 the bus
    /// term has multiplicity 0 and `IDX_j` is free: it holds `B + j`, with `B` the row's
    /// `IDX_l − l` for its first gathering lane `l` (0 on rows without gathers). When a row's lanes
    /// read consecutive elements, as they do when a block's rows do not straddle an output row,
    /// every `IDX_j` is then `IDX_0 + j` and the verifier interpolates one index polynomial.
    pub(crate) fn periodic(&self) -> Vec<[Vec<u64>; 2]> {
        let period = self.period();
        let mut cols = vec![[vec![0u64; period], vec![0u64; period]]; self.lanes];
        let mut base = vec![None; period];
        for g in &self.gathers {
            cols[g.lane][0][g.row] = g.input as u64;
            cols[g.lane][1][g.row] = g.mult as u64;
            let first = base[g.row].is_none_or(|(lane, _)| g.lane < lane);
            if first {
                base[g.row] = Some((g.lane, g.input as i64 - g.lane as i64));
            }
        }
        for (row, base) in base.iter().enumerate() {
            let b = base.map_or(0, |(_, b)| b);
            for (lane, [idx, gate]) in cols.iter_mut().enumerate() {
                if gate[row] == 0 && b + lane as i64 >= 0 {
                    idx[row] = (b + lane as i64) as u64;
                }
            }
        }
        cols
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gadgets::ConvGeometry;

    #[test]
    fn every_input_element_is_gathered_equally_often() {
        let g = ConvGeometry {
            in_channels: 2,
            input: [5, 4],
            out_channels: 3,
            kernel: [3, 3],
            stride: 1,
            padding: 1,
            pool: false,
        };
        let layout = ConvLayout::of(&g);
        assert_eq!((layout.taps, layout.positions), (18, 20));
        assert_eq!(layout.reads, 9, "an inner element is read by all 9 taps");
        let mut count = vec![0u32; g.input_len()];
        for gather in &layout.gathers {
            count[gather.input] += gather.mult;
        }
        assert!(count.iter().all(|&c| c == layout.reads));
        // Tap gathers lie in the tap blocks, filler rows after every block, one per short element.
        let (taps, filler) = layout.gathers.split_at(layout.tap_rows);
        let in_taps = |g: &Gather| g.row < layout.taps * layout.block && g.mult == 1;
        assert!(taps.iter().all(in_taps));
        assert!(filler
            .iter()
            .all(|g| g.row >= layout.block_rows() && g.lane == 0));
        assert!(filler.len() < g.input_len());
        let cells: std::collections::HashSet<(usize, usize)> =
            layout.gathers.iter().map(|g| (g.row, g.lane)).collect();
        assert_eq!(cells.len(), layout.gathers.len(), "one gather per cell");
        // More lanes make fewer rows until the output channels bound the blocks: here 8 lanes
        // give blocks of max(⌈20/8⌉, 3) = 3 rows.
        let fits = g.input_len().max(g.output_len());
        let bounded = layout.block == g.out_channels || layout.lanes == MAX_LANES;
        assert!(layout.rows() <= fits || bounded, "{layout:?}");
        assert_eq!((layout.lanes, layout.block), (8, 3));
        assert!(layout.block >= layout.positions.div_ceil(layout.lanes));
        assert!(layout.block >= g.out_channels);
    }

    #[test]
    fn free_index_cells_make_lanes_one_index_polynomial() {
        let geometry = |input: [usize; 2]| ConvGeometry {
            in_channels: 1,
            input,
            out_channels: 6,
            kernel: [5, 5],
            stride: 1,
            padding: 0,
            pool: false,
        };
        // 24 × 24 outputs in rows of 8 lanes: no block row straddles an output row.
        let layout = ConvLayout::of(&geometry([28, 28]));
        assert_eq!(layout.lanes, 8);
        let cols = layout.periodic();
        for (j, [idx, _]) in cols.iter().enumerate() {
            let shifted = idx
                .iter()
                .zip(&cols[0][0])
                .all(|(&v, &v0)| v == v0 + j as u64);
            assert!(shifted, "IDX_{j} = IDX_0 + {j}");
        }
        // Whatever the free cells hold, every gather keeps its element and multiplicity.
        for input in [[28, 28], [9, 7]] {
            let layout = ConvLayout::of(&geometry(input));
            let cols = layout.periodic();
            for g in &layout.gathers {
                let [idx, gate] = &cols[g.lane];
                assert_eq!((idx[g.row], gate[g.row]), (g.input as u64, g.mult as u64));
            }
            let gathered: usize = cols
                .iter()
                .map(|[_, gate]| gate.iter().filter(|&&m| m > 0).count())
                .sum();
            assert_eq!(
                gathered,
                layout.gathers.len(),
                "no free cell gained a multiplicity"
            );
        }
    }
}

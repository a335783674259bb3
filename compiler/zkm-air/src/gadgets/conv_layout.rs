//! Where a private-kernel convolution (`private_conv.rs`) puts every gathered input element:
//! the block of each tap, the filler rows that make every element read equally often (one row
//! per element read fewer times than the most-read one, receiving it as many times as it lacks),
//! and the periodic columns `IDX` and `XG` (the receive's multiplicity) the verifier evaluates. Everything here is a function of the
//! geometry alone, shared by the lowering, the witness and the compiler's row planning.

use super::conv::ConvGeometry;

/// Where each gathered element goes: the layout every part of the gadget derives from the
/// geometry alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvLayout {
    /// Taps per output `T`.
    pub taps: usize,
    /// Output positions `P`.
    pub positions: usize,
    /// Rows per block `L = max(P, CO)`.
    pub block: usize,
    /// Output channels `CO` (the kernel rows of each block).
    pub out_channels: usize,
    /// `(row, input element, multiplicity)` of every row that receives an element of `x`: the
    /// tap rows (multiplicity 1), then the filler rows.
    pub gathers: Vec<(usize, usize, u32)>,
    /// Rows that are taps (the rest of `gathers` is filler).
    pub tap_rows: usize,
    /// How often every element of `x` is received.
    pub reads: u32,
}

impl ConvLayout {
    /// The layout of `g` (a valid convolution, not a pool).
    pub fn of(g: &ConvGeometry) -> ConvLayout {
        let [oh, ow] = g.output().unwrap_or([0, 0]);
        let (taps, positions) = (g.in_channels * g.kernel[0] * g.kernel[1], oh * ow);
        let block = positions.max(g.out_channels);
        let mut gathers = Vec::new();
        let mut count = vec![0u32; g.input_len()];
        // Output channel 0's taps: `out = p` and kernel index `k = t`.
        g.for_each_tap_of(0..1, |out, input, k| {
            gathers.push((k * block + out, input, 1));
            count[input] += 1;
        });
        gathers.sort_unstable();
        let tap_rows = gathers.len();
        let reads = count.iter().copied().max().unwrap_or(0).max(1);
        let short = count.iter().enumerate().filter(|&(_, &c)| c < reads);
        let filler = short.map(|(input, &c)| (input, reads - c));
        let rows = (taps + 1) * block..;
        gathers.extend(rows.zip(filler).map(|(row, (input, m))| (row, input, m)));
        ConvLayout {
            taps,
            positions,
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

    /// The periodic columns `IDX` and `XG`.
    pub(crate) fn periodic(&self) -> [Vec<u64>; 2] {
        let period = self.period();
        let (mut idx, mut gate) = (vec![0u64; period], vec![0u64; period]);
        for &(row, input, m) in &self.gathers {
            idx[row] = input as u64;
            gate[row] = m as u64;
        }
        [idx, gate]
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
        assert_eq!((layout.taps, layout.positions, layout.block), (18, 20, 20));
        assert_eq!(layout.reads, 9, "an inner element is read by all 9 taps");
        let mut count = vec![0u32; g.input_len()];
        for &(_, input, m) in &layout.gathers {
            count[input] += m;
        }
        assert!(count.iter().all(|&c| c == layout.reads));
        // Tap rows lie in the tap blocks, filler rows after every block, one per short element.
        let (taps, filler) = layout.gathers.split_at(layout.tap_rows);
        let in_taps =
            |&(row, _, m): &(usize, usize, u32)| row < layout.taps * layout.block && m == 1;
        assert!(taps.iter().all(in_taps));
        assert!(filler.iter().all(|&(row, _, _)| row >= layout.block_rows()));
        assert!(filler.len() < g.input_len());
        let rows: std::collections::HashSet<usize> = layout.gathers.iter().map(|g| g.0).collect();
        assert_eq!(rows.len(), layout.gathers.len(), "one gather per row");
    }
}

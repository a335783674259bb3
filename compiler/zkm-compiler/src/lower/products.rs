//! Matrix products: public weights are checked by a random linear combination (with a public
//! bias folded in when one is added right after); other weights use the dense gadget.
//! Convolutions with a public kernel use the same check over the convolution's linear map.

use zkm_air::gadgets::{
    Conv, ConvGeometry, ConvLayout, DeclRef, Dense, DenseShape, FoldedBias, PrivateConv,
    PrivateProduct, ProductShape, PublicProduct, MAX_CONV_TAPS,
};
use zkm_air::TensorId;
use zkm_diagnostics::Diagnostic;

use super::{unsupported, Lowering};
use crate::ir::{NodeId, Op};

impl Lowering<'_> {
    /// Lowers `a @ b` (node `id`).
    pub(crate) fn matmul(
        &mut self,
        id: NodeId,
        a: NodeId,
        b: NodeId,
        name: &str,
    ) -> Result<(), Diagnostic> {
        let (x, w, shape) = self.product_shape(id, a, b)?;
        let xt = self.operand(id, x)?;
        if let Op::Load(d) = self.program.nodes[w].op {
            if self.plan.public_product[d] {
                self.public_product(id, xt, Some(d), shape, (None, None), name);
                return Ok(());
            }
        }
        if let Op::Load(d) = self.program.nodes[w].op {
            if self.plan.stored_in_dense[d] {
                self.private_product(id, xt, d, shape, name);
                return Ok(());
            }
        }
        let ws = self.operand(id, w)?;
        let out = self.output(id, name);
        let loc = self.loc(self.program.nodes[id].span);
        self.b
            .gadget(loc, |b| Dense::lower(b, xt, ws, out, shape, name));
        Ok(())
    }

    /// Lowers `W·x + b` (addition node `id`) as one checked product with a folded bias.
    pub(crate) fn folded_product(&mut self, id: NodeId, name: &str) -> Result<(), Diagnostic> {
        let Some(fold) = self.plan.fold[id] else {
            return Err(Diagnostic::bug("folded product without a plan"));
        };
        let Op::MatMul(a, b) = self.program.nodes[fold.product].op else {
            return Err(Diagnostic::bug("folded product is not a matrix product"));
        };
        let (x, w, shape) = self.product_shape(fold.product, a, b)?;
        let xt = self.operand(id, x)?;
        let Op::Load(d) = self.program.nodes[w].op else {
            return Err(Diagnostic::bug("folded product without public weights"));
        };
        let offset = self.public_of[fold.bias].unwrap_or(0);
        let decl = self.decl_ref(fold.bias);
        let bias = Some(FoldedBias { decl, offset });
        self.public_product(id, xt, Some(d), shape, (bias, None), name);
        Ok(())
    }

    /// Lowers `conv2d(x, kernel, bias)` (node `id`): a public kernel used by this convolution
    /// only is checked by a random combination and never enters the trace; a private one is
    /// stored in the trace and checked by the in-trace combination of `PrivateConv`.
    pub(crate) fn conv(
        &mut self,
        id: NodeId,
        [x, kernel, bias]: [NodeId; 3],
        geometry: ConvGeometry,
        name: &str,
    ) -> Result<(), Diagnostic> {
        let span = self.program.nodes[id].span;
        if geometry.macs() > MAX_CONV_TAPS {
            let what = format!("a convolution of more than {MAX_CONV_TAPS} multiply-accumulates");
            return Err(unsupported(
                span,
                &what,
                "split the layer into smaller ones",
            ));
        }
        let d = match self.program.nodes[kernel].op {
            Op::Load(d) if self.plan.public_product[d] => d,
            Op::Load(d) if self.plan.stored_in_dense[d] => {
                return self.private_conv(id, [x, d, bias], geometry, name);
            }
            _ => {
                let what = "a convolution whose kernel is not a parameter used only by it";
                let help = "declare the kernel as a `param` (public, private or committed) and \
                            use it in one `conv2d`; computed kernels are not supported yet";
                return Err(unsupported(span, what, help));
            }
        };
        let (xt, bt) = (self.operand(id, x)?, self.operand(id, bias)?);
        self.public_map(id, (xt, Some(bt)), Some(d), geometry, name);
        Ok(())
    }

    /// A convolution (kernel `d`, bias tensor) or a sum pool (neither) checked as a public
    /// product over its linear map.
    fn public_map(
        &mut self,
        id: NodeId,
        (x, bias): (TensorId, Option<TensorId>),
        d: Option<usize>,
        geometry: ConvGeometry,
        name: &str,
    ) {
        let shape = DenseShape {
            n: geometry.input_len(),
            m: geometry.output_len(),
            transposed: false,
        };
        let conv = Conv { geometry, bias };
        self.public_product(id, x, d, shape, (None, Some(conv)), name);
    }

    /// The declaration `d` as a gadget reads it (name and width).
    fn decl_ref(&self, d: usize) -> DeclRef {
        let decl = &self.program.decls[d];
        DeclRef {
            name: decl.name.clone(),
            bits: decl.ty.bits,
        }
    }

    /// A private or committed kernel (declaration `d`) stored in the trace.
    fn private_conv(
        &mut self,
        id: NodeId,
        [x, d, bias]: [usize; 3],
        geometry: ConvGeometry,
        name: &str,
    ) -> Result<(), Diagnostic> {
        let (xt, bt) = (self.operand(id, x)?, self.operand(id, bias)?);
        let k_decl = self.decl_ref(d);
        let k_tensor = self.committed_weights(d);
        let out = self.output(id, name);
        let loc = self.loc(self.program.nodes[id].span);
        // Gather lanes for the rows below the dead row: a longer trace takes fewer columns.
        let rows = self
            .plan
            .row_target
            .saturating_sub(self.plan.random_rows + 1);
        let layout = ConvLayout::within(&geometry, rows);
        self.b.gadget(loc, |b| {
            PrivateConv::lower(
                b,
                [xt, bt, out],
                &layout,
                geometry,
                (k_decl, k_tensor),
                name,
            )
        });
        Ok(())
    }

    /// Lowers `avg_pool2d(x, k)` (node `id`): the window sums, a linear map with public
    /// coefficients, checked like a public product (the division is a change of scale).
    pub(crate) fn sum_pool(
        &mut self,
        id: NodeId,
        x: NodeId,
        geometry: ConvGeometry,
        name: &str,
    ) -> Result<(), Diagnostic> {
        let xt = self.operand(id, x)?;
        self.public_map(id, (xt, None), None, geometry, name);
        Ok(())
    }

    /// `(vector operand, matrix operand, shape)` of a matrix-vector product.
    fn product_shape(
        &self,
        id: NodeId,
        a: NodeId,
        b: NodeId,
    ) -> Result<(NodeId, NodeId, DenseShape), Diagnostic> {
        let (sa, sb) = (&self.program.nodes[a].shape, &self.program.nodes[b].shape);
        match (sa.len(), sb.len()) {
            (1, 2) => Ok((
                a,
                b,
                DenseShape {
                    n: sb[0],
                    m: sb[1],
                    transposed: true,
                },
            )),
            (2, 1) => Ok((
                b,
                a,
                DenseShape {
                    n: sa[1],
                    m: sa[0],
                    transposed: false,
                },
            )),
            _ => {
                let span = self.program.nodes[id].span;
                let help = "multiply one row at a time, or flatten the batch into a vector";
                Err(unsupported(span, "a matrix-matrix product", help))
            }
        }
    }

    /// A public-matrix product check (a folded bias or a convolution's map, not both) with the
    /// weights of declaration `d` (none for a sum pool).
    fn public_product(
        &mut self,
        id: NodeId,
        x: TensorId,
        d: Option<usize>,
        shape: DenseShape,
        (bias, conv): (Option<FoldedBias>, Option<Conv>),
        name: &str,
    ) {
        let none = DeclRef {
            name: String::new(),
            bits: 8,
        };
        let w_decl = d.map_or(none, |d| self.decl_ref(d));
        let weights = d.and_then(|d| self.public_of[d]).unwrap_or(0);
        let DenseShape { n, m, transposed } = shape;
        let spec = ProductShape {
            n,
            m,
            transposed,
            weights,
            w_decl,
            bias,
            conv,
        };
        let out = self.output(id, name);
        let loc = self.loc(self.program.nodes[id].span);
        self.b
            .gadget(loc, |b| PublicProduct::lower(b, x, out, spec, name));
    }

    fn private_product(
        &mut self,
        id: NodeId,
        x: TensorId,
        d: usize,
        shape: DenseShape,
        name: &str,
    ) {
        let w_decl = self.decl_ref(d);
        let DenseShape { n, m, transposed } = shape;
        let k = lanes_for(self.plan.row_target - self.plan.random_rows, n, m);
        let w_tensor = self.committed_weights(d);
        let out = self.output(id, name);
        let loc = self.loc(self.program.nodes[id].span);
        self.b.gadget(loc, |b| {
            PrivateProduct::lower(b, x, out, [n, m, k], transposed, w_decl, w_tensor, name)
        });
    }

    /// For committed weights stored in a product's lanes: the bus tensor the product sends them
    /// on, read once by the commitment gadget.
    fn committed_weights(&mut self, d: usize) -> Option<TensorId> {
        let decl = &self.program.decls[d];
        if decl.visibility != crate::ir::Visibility::Committed {
            return None;
        }
        let half = 1i64 << (decl.ty.bits - 1);
        let info = zkm_air::TensorInfo {
            name: decl.name.clone(),
            shape: decl.shape.clone(),
            frac: decl.ty.frac,
            range: (-half, half - 1),
            reads: 1,
            loc: self.loc(decl.span),
        };
        let t = self.b.tensor(info);
        self.decl_tensor[d] = Some(t);
        Some(t)
    }
}

/// The fewest weight lanes that fit `n` blocks of `⌈m/k⌉` rows below `rows` (the last row is
/// never part of a region).
fn lanes_for(rows: usize, n: usize, m: usize) -> usize {
    let per_block = ((rows - 1) / n.max(1)).max(1);
    m.div_ceil(per_block).max(1)
}

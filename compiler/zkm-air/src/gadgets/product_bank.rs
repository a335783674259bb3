//! Product banks: the public-weight product checks of a program share their `X` and `U`
//! columns, each product on its own rows.
//!
//! A product check of `n` inputs needs `n` rows of `X` (its input vector, then a convolution's
//! bias) and the same rows of `U` (the verifier's keys); the rest of both columns used to be
//! zero. In a bank, product `k` takes the region `o_k..o_k + len_k` of one shared pair: its bus
//! terms read `x[row − o_k]` gated by `g_k = sel_{o_k+len_k} − sel_{o_k}`, its running sum adds
//! `g_k·U·X` (so rows of other products never enter it), and the verifier pins `U` once, to every
//! member's keys on its region and 0 elsewhere. A bank is thus two columns and **one** pinned
//! column for the verifier to interpolate, whatever the number of products on it.
//!
//! Regions are placed first-fit: a product joins the first bank with `len_k` rows left before
//! the usable limit (the dead row, with zero-knowledge), else opens a new bank at row 0.

use crate::builder::AirBuilder;
use crate::program::{AssertValue, ColumnAlias};

/// The banks of a builder.
#[derive(Clone, Debug, Default)]
pub(crate) struct ProductBanks {
    /// Regions end at or before this row (`None`: no limit).
    usable: Option<usize>,
    banks: Vec<Bank>,
}

#[derive(Clone, Copy, Debug)]
struct Bank {
    x: u16,
    u: u16,
    /// The first free row.
    top: usize,
}

/// Where one public product sits in its bank.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BankPlace {
    /// The shared main column `X`.
    pub(crate) x_col: u16,
    /// The shared auxiliary column `U`.
    pub(crate) u_col: u16,
    /// The first row of the product's region.
    pub(crate) first_row: usize,
    /// True for the bank's first product, which pins `U` for all.
    pub(crate) opens: bool,
}

impl AirBuilder {
    /// Limits product banks to rows `0..usable`.
    pub fn limit_product_banks(&mut self, usable: usize) {
        self.banks.usable = Some(usable);
    }

    /// A region of `len` rows for the public product being lowered (named `name`), with the
    /// alias that names its rows of `X` in the listing.
    pub(crate) fn bank_place(&mut self, len: usize, name: &str, meaning: &str) -> BankPlace {
        let usable = self.banks.usable.unwrap_or(usize::MAX);
        let fits = |b: &Bank| b.top.saturating_add(len) <= usable;
        let place = match self.banks.banks.iter().position(fits) {
            Some(i) => {
                let bank = &mut self.banks.banks[i];
                let first_row = bank.top;
                bank.top += len;
                BankPlace {
                    x_col: bank.x,
                    u_col: bank.u,
                    first_row,
                    opens: false,
                }
            }
            None => self.open_bank(len),
        };
        let (loc, gadget) = (self.current_loc(), self.current_gadget());
        self.prog_mut().aliases.push(ColumnAlias {
            name: format!("{name}.x"),
            column: place.x_col,
            first_row: place.first_row as u32,
            rows: len as u32,
            meaning: meaning.to_owned(),
            loc,
            gadget,
        });
        place
    }

    fn open_bank(&mut self, len: usize) -> BankPlace {
        let k = self.banks.banks.len();
        let suffix = if k == 0 { String::new() } else { k.to_string() };
        let x = self.own_col(
            format!("products.x{suffix}"),
            "each public product's input on its rows (== stacked regions)",
        );
        let u = self.aux_col(
            format!("products.u{suffix}"),
            "each public product's keys u_j on its rows, 0 elsewhere: pinned by the verifier",
        );
        let model = self.model_loc();
        let prog = self.prog_mut();
        prog.main_columns[x as usize].loc = model;
        prog.aux_columns[u as usize].loc = model;
        self.banks.banks.push(Bank { x, u, top: len });
        BankPlace {
            x_col: x,
            u_col: u,
            first_row: 0,
            opens: true,
        }
    }

    /// Pins bank column `u` to its products' keys (for the bank's first product).
    pub(crate) fn pin_bank_keys(&mut self, u: u16) {
        let gadget = self.current_gadget();
        let label = format!(
            "{} = the verifier's keys",
            self.prog_ref().aux_columns[u as usize].name
        );
        self.aux_assert(u, 0, AssertValue::ProductKeys(gadget), label);
    }
}

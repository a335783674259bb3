//! Openings of committed declarations (`spec/commitment.md`): for each `committed` input,
//! parameter or output, the private nonce that, with the tensor's values, gives its public digest. The data
//! owner creates them once (`zkmc commit`), publishes the digests and keeps the file: every proof
//! made with the same openings and the same data shows the same digests, which is what lets a
//! verifier check that a proof used the committed model or input (`zkmc verify --expect`).
//!
//! A committed *output* gets its nonce at commit time too, but no digest: its values exist only
//! once the model runs, and the proof's statement shows the digest.
//!
//! The file is JSON: `{"format": "zkmc-openings", "version": 1, "openings": {NAME: {"bits": W,
//! "nonce": "DECIMAL", "digest": "HEX"}}}` (no `digest` for an output); unknown fields are
//! rejected.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use zkm_air::field::{Felt, MODULUS};
use zkm_air::gadgets::{digest, digest_hex};
use zkm_air::{AirProgram, DeclKind, Inputs, Visibility};

use crate::stark::ZkRng;

/// The `format` field of an openings file.
pub const FORMAT: &str = "zkmc-openings";
/// The version this build writes and reads.
pub const VERSION: u32 = 1;

/// The openings of a model's committed declarations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Openings {
    format: String,
    version: u32,
    /// By declaration name.
    pub openings: BTreeMap<String, Opening>,
}

/// One committed declaration's opening.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Opening {
    /// The declared width the values were packed with.
    pub bits: u32,
    /// The nonce, a field element below p, in decimal (a string: JSON numbers lose precision).
    pub nonce: String,
    /// The digest, 64 lower-case hex digits (`None` for an output: known after proving).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// Why openings could not be made, read or used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpeningsError {
    /// Not JSON of the openings shape (the parser's reason).
    Malformed(String),
    /// Another format or version.
    Version(String, u32),
    /// A committed declaration has no opening.
    Missing(String),
    /// An opening names no committed declaration of the model.
    Unknown(String),
    /// An input or parameter's opening has no digest, or an output's has one.
    Digest(String),
    /// An opening's width is not the declaration's.
    Width {
        /// Declaration.
        name: String,
        /// Width in the file.
        found: u32,
        /// Declared width.
        declared: u32,
    },
    /// A nonce that is not a decimal field element.
    BadNonce(String),
    /// The data no longer has the digest its opening records: the values changed since the
    /// commitment.
    DataChanged {
        /// Declaration.
        name: String,
        /// The recorded digest.
        committed: String,
        /// The digest of the data given now.
        now: String,
    },
}

impl std::fmt::Display for OpeningsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpeningsError::Malformed(why) => write!(f, "not an openings file: {why}"),
            OpeningsError::Version(format, v) => write!(
                f,
                "openings file is `{format}` version {v}; this zkmc reads `{FORMAT}` version {VERSION}"
            ),
            OpeningsError::Missing(name) => write!(f, "no opening for the committed `{name}`"),
            OpeningsError::Unknown(name) => {
                write!(f, "an opening for `{name}`, which the model does not commit")
            }
            OpeningsError::Width {
                name,
                found,
                declared,
            } => write!(
                f,
                "the opening of `{name}` packs {found}-bit values; the model declares {declared} bits"
            ),
            OpeningsError::Digest(name) => write!(
                f,
                "the opening of `{name}` must have a digest for an input or parameter, and none for an output"
            ),
            OpeningsError::BadNonce(name) => {
                write!(f, "the nonce of `{name}` is not a decimal number below p")
            }
            OpeningsError::DataChanged {
                name,
                committed,
                now,
            } => write!(
                f,
                "the values of `{name}` are not the committed ones: committed digest {committed}, these values give {now}"
            ),
        }
    }
}

/// The committed declarations of `program`: name, width and whether it is an output, in
/// declaration order.
pub fn committed(program: &AirProgram) -> Vec<(&str, u32, bool)> {
    program
        .decls
        .iter()
        .filter(|d| d.visibility == Visibility::Committed)
        .map(|d| (d.name.as_str(), d.ty.bits, d.kind == DeclKind::Output))
        .collect()
}

impl Openings {
    /// Commits the quantized values in `inputs` of every committed input and parameter of
    /// `program`, and draws the nonce of every committed output, all uniform from `rng`.
    ///
    /// # Errors
    /// [`OpeningsError::Missing`] when `inputs` lacks a committed declaration's values.
    pub fn commit(
        program: &AirProgram,
        inputs: &Inputs,
        rng: &ZkRng,
    ) -> Result<Self, OpeningsError> {
        let mut openings = BTreeMap::new();
        for (name, bits, output) in committed(program) {
            let nonce = rng.felt();
            let digest = match output {
                true => None,
                false => {
                    let values = inputs
                        .values
                        .get(name)
                        .ok_or_else(|| OpeningsError::Missing(name.to_owned()))?;
                    Some(digest_hex(&digest(values, bits, nonce)))
                }
            };
            let nonce = nonce.as_int().to_string();
            openings.insert(
                name.to_owned(),
                Opening {
                    bits,
                    nonce,
                    digest,
                },
            );
        }
        Ok(Openings {
            format: FORMAT.into(),
            version: VERSION,
            openings,
        })
    }

    /// Reads an openings file for `program`: exactly one opening per committed declaration, each
    /// with the declared width and a canonical nonce.
    ///
    /// # Errors
    /// Every [`OpeningsError`] but `DataChanged`.
    pub fn from_json(program: &AirProgram, text: &str) -> Result<Self, OpeningsError> {
        let o: Openings =
            serde_json::from_str(text).map_err(|e| OpeningsError::Malformed(e.to_string()))?;
        if o.format != FORMAT || o.version != VERSION {
            return Err(OpeningsError::Version(o.format, o.version));
        }
        let wanted = committed(program);
        for (name, declared, output) in &wanted {
            let op = o
                .openings
                .get(*name)
                .ok_or_else(|| OpeningsError::Missing((*name).to_owned()))?;
            if op.bits != *declared {
                let (name, found, declared) = ((*name).to_owned(), op.bits, *declared);
                return Err(OpeningsError::Width {
                    name,
                    found,
                    declared,
                });
            }
            parse_nonce(&op.nonce).ok_or_else(|| OpeningsError::BadNonce((*name).to_owned()))?;
            if op.digest.is_some() == *output {
                return Err(OpeningsError::Digest((*name).to_owned()));
            }
        }
        if let Some(extra) = o
            .openings
            .keys()
            .find(|k| !wanted.iter().any(|w| w.0 == *k))
        {
            return Err(OpeningsError::Unknown(extra.clone()));
        }
        Ok(o)
    }

    /// The file's JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Puts the nonces into `inputs` after checking that its values still have the committed
    /// digests.
    ///
    /// # Errors
    /// [`OpeningsError::DataChanged`], or `Missing` when `inputs` lacks a committed tensor.
    pub fn apply(&self, inputs: &mut Inputs) -> Result<(), OpeningsError> {
        for (name, op) in &self.openings {
            let nonce =
                parse_nonce(&op.nonce).ok_or_else(|| OpeningsError::BadNonce(name.clone()))?;
            if let Some(committed) = &op.digest {
                check_data(inputs, name, op.bits, nonce, committed)?;
            }
            inputs.nonces.insert(name.clone(), nonce.as_int());
        }
        Ok(())
    }
}

/// The values of `name` in `inputs` still have the digest `committed` under `nonce`.
fn check_data(
    inputs: &Inputs,
    name: &str,
    bits: u32,
    nonce: Felt,
    committed: &str,
) -> Result<(), OpeningsError> {
    let values = inputs
        .values
        .get(name)
        .ok_or_else(|| OpeningsError::Missing(name.to_owned()))?;
    let now = digest_hex(&digest(values, bits, nonce));
    match now == committed {
        true => Ok(()),
        false => Err(OpeningsError::DataChanged {
            name: name.to_owned(),
            committed: committed.to_owned(),
            now,
        }),
    }
}

fn parse_nonce(s: &str) -> Option<Felt> {
    let v: u64 = s.parse().ok()?;
    (v < MODULUS && s == v.to_string()).then(|| Felt::new(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stark::Randomness;

    /// A program whose only declaration is `committed param w: int<8>[6]`.
    fn program() -> AirProgram {
        let mut b = zkm_air::AirBuilder::new("m", vec![], zkm_air::Loc::default());
        b.decl(zkm_air::DeclInfo {
            name: "w".into(),
            kind: zkm_air::DeclKind::Param,
            visibility: Visibility::Committed,
            shape: vec![6],
            ty: zkm_air::NumType { bits: 8, frac: 0 },
            output: None,
            loc: zkm_air::Loc::default(),
        });
        b.finish().expect("program")
    }

    fn inputs() -> Inputs {
        let mut i = Inputs::default();
        i.values.insert("w".into(), vec![1, -2, 3, 4, 5, 6]);
        i
    }

    #[test]
    fn commit_apply_and_reject() {
        let p = program();
        let rng = ZkRng::new(Randomness::Seed(1)).expect("rng");
        let o = Openings::commit(&p, &inputs(), &rng).expect("commits");
        let back = Openings::from_json(&p, &o.to_json()).expect("reads back");
        assert_eq!(back, o);
        let mut ok = inputs();
        o.apply(&mut ok).expect("same data");
        assert_eq!(ok.nonces.len(), 1);
        let mut changed = inputs();
        changed.values.insert("w".into(), vec![1, -2, 3, 4, 5, 7]);
        assert!(matches!(
            o.apply(&mut changed),
            Err(OpeningsError::DataChanged { .. })
        ));
        let other = Openings::commit(&p, &inputs(), &rng).expect("commits");
        assert_ne!(
            other.openings["w"].digest, o.openings["w"].digest,
            "fresh nonce"
        );
        let edit = |from: &str, to: &str| o.to_json().replacen(from, to, 1);
        let nonce = &o.openings["w"].nonce;
        let bad = [
            edit(nonce, "18446744073709551615"),
            edit(nonce, &format!("0{nonce}")),
            edit("\"bits\": 8", "\"bits\": 9"),
            edit("\"w\"", "\"v\""),
            edit("zkmc-openings", "zkmc-opening"),
            edit("\"digest\"", "\"extra\": 1, \"digest\""),
            "[]".to_string(),
        ];
        for text in bad {
            assert!(Openings::from_json(&p, &text).is_err(), "{text}");
        }
    }

    /// Every truncation and every single-byte change of a valid file is read without a panic,
    /// and a file that still reads has a canonical nonce for `w`.
    #[test]
    fn mutated_files_never_panic() {
        let p = program();
        let rng = ZkRng::new(Randomness::Seed(2)).expect("rng");
        let text = Openings::commit(&p, &inputs(), &rng)
            .expect("commits")
            .to_json();
        let bytes = text.as_bytes();
        for cut in 0..bytes.len() {
            let _ = Openings::from_json(&p, &String::from_utf8_lossy(&bytes[..cut]));
        }
        for at in 0..bytes.len() {
            for b in [b'0', b'9', b'"', b'{', b'-', b'x', 0xff] {
                let mut m = bytes.to_vec();
                m[at] = b;
                if let Ok(o) = Openings::from_json(&p, &String::from_utf8_lossy(&m)) {
                    assert!(parse_nonce(&o.openings["w"].nonce).is_some());
                }
            }
        }
    }
}

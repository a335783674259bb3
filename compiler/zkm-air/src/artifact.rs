//! The versioned, hashed artifact file that carries an [`AirProgram`] from `zkmc build` to the
//! prover and verifier.

use serde::{Deserialize, Serialize};

use crate::program::AirProgram;

/// The artifact format's name, written in every file.
pub const FORMAT: &str = "zkmc-air";
/// The current format version; a reader rejects any other.
pub const VERSION: u32 = 7;

/// A compiled model with its format version and content hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`] for artifacts this build can read.
    pub version: u32,
    /// `blake3` of the program's canonical JSON encoding, hex.
    pub hash: String,
    /// The program.
    pub program: AirProgram,
}

/// Why an artifact could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArtifactError {
    /// Not JSON of the artifact's shape.
    Malformed(String),
    /// Another format or version.
    Version {
        /// Format name found.
        format: String,
        /// Version found.
        version: u32,
    },
    /// The content does not match its hash.
    HashMismatch,
}

impl std::fmt::Display for ArtifactError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArtifactError::Malformed(e) => write!(f, "not a zkmc artifact: {e}"),
            ArtifactError::Version { format, version } => {
                write!(f, "artifact is `{format}` version {version}; this zkmc reads `{FORMAT}` version {VERSION}")
            }
            ArtifactError::HashMismatch => {
                f.write_str("artifact content does not match its hash (corrupt or edited)")
            }
        }
    }
}

impl Artifact {
    /// Wraps a program, computing its hash.
    pub fn new(program: AirProgram) -> Self {
        let hash = hash_program(&program);
        Artifact {
            format: FORMAT.into(),
            version: VERSION,
            hash,
            program,
        }
    }

    /// The canonical JSON encoding.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads and validates an artifact.
    ///
    /// # Errors
    /// When the text is not an artifact, has another version, or fails its hash.
    pub fn from_json(text: &str) -> Result<Self, ArtifactError> {
        let a: Artifact =
            serde_json::from_str(text).map_err(|e| ArtifactError::Malformed(e.to_string()))?;
        if a.format != FORMAT || a.version != VERSION {
            return Err(ArtifactError::Version {
                format: a.format,
                version: a.version,
            });
        }
        if hash_program(&a.program) != a.hash {
            return Err(ArtifactError::HashMismatch);
        }
        crate::validate::validate(&a.program).map_err(ArtifactError::Malformed)?;
        Ok(a)
    }

    /// True when the format and version are this build's, the hash matches the program, and the
    /// program passes [`crate::validate::validate`]: what [`Artifact::from_json`] checks, for an
    /// artifact that reached a library caller some other way.
    pub fn is_intact(&self) -> bool {
        self.format == FORMAT
            && self.version == VERSION
            && hash_program(&self.program) == self.hash
            && crate::validate::validate(&self.program).is_ok()
    }
}

/// The hash covers everything but the source file names (display-only), so the same model
/// compiled from another directory or through another spelling of its path has the same hash.
fn hash_program(program: &AirProgram) -> String {
    let mut hashed = program.clone();
    hashed.files.clear();
    let mut hasher = blake3::Hasher::new();
    hasher.update(FORMAT.as_bytes());
    hasher.update(&VERSION.to_le_bytes());
    hasher.update(
        serde_json::to_string(&hashed)
            .unwrap_or_default()
            .as_bytes(),
    );
    hasher.finalize().to_hex().to_string()
}

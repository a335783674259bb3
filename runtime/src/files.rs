//! Reading the files a user names, with a size limit checked before anything is read.
//!
//! Every file zkmc reads (a model, an artifact, a proof, input or weight data, openings) goes
//! through [`read_limited`]: a regular file larger than its limit is refused from its metadata
//! alone, so a 1 GiB proof costs one `stat`; a device (`/dev/zero`) is refused outright; a pipe
//! is read until one byte past the limit. Messages carry no OS error numbers.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// The most bytes of `.zkm` source zkmc reads from one file.
pub const SOURCE_LIMIT: u64 = 64 << 20;
/// The most bytes of a compiled artifact (`.air.json`).
pub const ARTIFACT_LIMIT: u64 = 256 << 20;
/// The most bytes of one input or weights file (JSON, safetensors or `.npy`).
pub const DATA_LIMIT: u64 = 1 << 30;
/// The most bytes of an openings file.
pub const OPENINGS_LIMIT: u64 = 16 << 20;
/// The most bytes of a proof file (the proof file format's own bound).
pub const PROOF_LIMIT: u64 = zkm_verifier::proof_file::MAX_LEN as u64;

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The operating system refused (missing file, permissions, …).
    Io(std::io::Error),
    /// The path names a directory.
    Directory,
    /// The path names a device or socket rather than a file or a pipe.
    NotAFile,
    /// The file is larger than the limit (its size, when known before reading).
    TooLarge {
        /// The file's size, when its metadata gave one.
        size: Option<u64>,
        /// The limit it exceeds.
        limit: u64,
    },
}

impl ReadError {
    /// True for [`ReadError::TooLarge`].
    pub fn is_too_large(&self) -> bool {
        matches!(self, ReadError::TooLarge { .. })
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => f.write_str(&io_reason(e)),
            ReadError::Directory => f.write_str("it is a directory"),
            ReadError::NotAFile => f.write_str("it is a device, not a file"),
            ReadError::TooLarge {
                size: Some(size),
                limit,
            } => write!(
                f,
                "it holds {}, more than the {} zkmc reads from such a file",
                bytes(*size),
                bytes(*limit)
            ),
            ReadError::TooLarge { size: None, limit } => write!(
                f,
                "it holds more than the {} zkmc reads from such a file",
                bytes(*limit)
            ),
        }
    }
}

/// Reads `path` whole, refusing it when it holds more than `limit` bytes.
///
/// # Errors
/// See [`ReadError`].
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::IsADirectory => ReadError::Directory,
        _ => ReadError::Io(e),
    })?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    let kind = meta.file_type();
    if kind.is_dir() {
        return Err(ReadError::Directory);
    }
    if !kind.is_file() && !is_pipe(&kind) {
        return Err(ReadError::NotAFile);
    }
    if kind.is_file() && meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: Some(meta.len()),
            limit,
        });
    }
    let capacity = if kind.is_file() { meta.len() } else { 0 };
    let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { size: None, limit });
    }
    Ok(bytes)
}

#[cfg(unix)]
fn is_pipe(kind: &std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_fifo()
}

#[cfg(not(unix))]
fn is_pipe(_: &std::fs::FileType) -> bool {
    false
}

/// The reason of an IO error for a message: "no such file or directory", without the OS error
/// number.
pub fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = text.split(" (os error ").next().unwrap_or(&text);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text.to_owned(),
    }
}

/// A byte count for messages: `64 MiB`, `1.5 GiB`, `812 bytes`.
pub fn bytes(n: u64) -> String {
    const UNITS: [(&str, u32); 3] = [("GiB", 30), ("MiB", 20), ("KiB", 10)];
    for (unit, shift) in UNITS {
        if n >= 1 << shift {
            let v = n as f64 / f64::from(1u32 << shift);
            return match n % (1 << shift) {
                0 => format!("{} {unit}", n >> shift),
                _ => format!("{v:.1} {unit}"),
            };
        }
    }
    format!("{n} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("zkm-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    #[test]
    fn a_file_over_the_limit_is_refused_from_its_size() {
        let path = scratch("big");
        let f = std::fs::File::create(&path).unwrap();
        f.set_len(10 << 30).unwrap(); // sparse: nothing is written or read
        let e = read_limited(&path, 64 << 20).unwrap_err();
        assert_eq!(
            e.to_string(),
            "it holds 10 GiB, more than the 64 MiB zkmc reads from such a file"
        );
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_file_at_the_limit_is_read() {
        let path = scratch("exact");
        std::fs::write(&path, b"12345").unwrap();
        assert_eq!(read_limited(&path, 5).unwrap(), b"12345");
        assert!(read_limited(&path, 4).unwrap_err().is_too_large());
        std::fs::remove_file(&path).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_directories_are_refused() {
        let e = read_limited(Path::new("/dev/zero"), 1 << 30).unwrap_err();
        assert!(matches!(e, ReadError::NotAFile), "{e:?}");
        let e = read_limited(&std::env::temp_dir(), 1 << 30).unwrap_err();
        assert!(matches!(e, ReadError::Directory), "{e:?}");
    }

    #[test]
    fn a_missing_file_names_no_os_error_number() {
        let e = read_limited(Path::new("/nonexistent/zkm/file"), 10).unwrap_err();
        assert_eq!(e.to_string(), "no such file or directory");
    }

    #[test]
    fn byte_counts_read_well() {
        assert_eq!(bytes(812), "812 bytes");
        assert_eq!(bytes(64 << 20), "64 MiB");
        assert_eq!(bytes(3 << 29), "1.5 GiB");
    }
}

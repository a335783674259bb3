//! The limits the CLI applies before starting work: the minimum security level and the memory
//! guard of `zkmc prove`.

use zkm_diagnostics::{codes, Diagnostic};

/// The lowest `--security` zkmc proves or verifies at without `--insecure-test-security`.
pub const MIN_SECURITY: u32 = 80;

/// Refuses a security level below [`MIN_SECURITY`] (E0708) unless `insecure` is set, and one
/// above what zkmc can reach (E0705).
pub fn check_security(bits: u32, insecure: bool) -> Result<(), Diagnostic> {
    let max = zkm_runtime::stark::MAX_SECURITY;
    if bits > max {
        let msg = format!("--security {bits} is above the {max} bits zkmc can reach");
        return Err(Diagnostic::error(codes::SECURITY_UNREACHABLE, msg));
    }
    if bits < MIN_SECURITY && !insecure {
        let msg = format!(
            "--security {bits} is below the {MIN_SECURITY} bits zkmc proves and verifies at: \
             such proofs can be forged"
        );
        return Err(Diagnostic::error(codes::INSECURE_SECURITY, msg)
            .with_help("for tests only, add `--insecure-test-security`"));
    }
    if bits == 0 {
        return Err(Diagnostic::error(
            codes::INSECURE_SECURITY,
            "--security 0 asks for no security at all".to_owned(),
        ));
    }
    Ok(())
}

/// Warns on standard error when a level below [`MIN_SECURITY`] was allowed.
#[allow(clippy::print_stderr)]
pub fn warn_insecure(bits: u32) {
    if bits < MIN_SECURITY {
        eprintln!(
            "warning: --security {bits} with --insecure-test-security: this proof can be forged; use it for tests only"
        );
    }
}

/// The memory a proof may use, in bytes: `--max-memory MB` when given, else the machine's
/// physical memory when it can be read (`None`: no limit).
pub fn memory_limit(max_memory_mb: Option<u64>) -> Option<u64> {
    match max_memory_mb {
        Some(mb) => Some(mb.saturating_mul(1 << 20)),
        None => physical_memory(),
    }
}

/// `MemTotal` of `/proc/meminfo`, in bytes.
fn physical_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_mem_total(&text)
}

fn parse_mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}

/// Refuses (E0707) a proof whose estimated peak memory `estimate` exceeds `limit`; `explicit`
/// says whether the limit came from `--max-memory`.
pub fn check_memory(estimate: u64, limit: Option<u64>, explicit: bool) -> Result<(), Diagnostic> {
    let Some(limit) = limit.filter(|&l| estimate > l) else {
        return Ok(());
    };
    let (mb, limit_mb) = (estimate >> 20, limit >> 20);
    let (msg, help) = match explicit {
        true => (
            format!("proving needs about {mb} MB, more than --max-memory {limit_mb} MB"),
            "raise `--max-memory`, or make the model smaller".to_owned(),
        ),
        false => (
            format!(
                "proving needs about {mb} MB, more than this machine's {limit_mb} MB of memory"
            ),
            format!("to try anyway (with swap, say), pass `--max-memory {mb}` or more"),
        ),
    };
    Err(Diagnostic::error(codes::MEMORY_LIMIT, msg).with_help(help))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_floor_and_ceiling() {
        assert!(check_security(100, false).is_ok());
        assert!(check_security(80, false).is_ok());
        let low = check_security(2, false).unwrap_err();
        assert_eq!(low.code, codes::INSECURE_SECURITY);
        assert!(check_security(2, true).is_ok());
        assert_eq!(
            check_security(0, true).unwrap_err().code,
            codes::INSECURE_SECURITY
        );
        let high = check_security(200, true).unwrap_err();
        assert_eq!(high.code, codes::SECURITY_UNREACHABLE);
    }

    #[test]
    fn memory_limits_do_not_wrap() {
        // 2^44 MB would wrap a `u64` of bytes if shifted: it saturates instead.
        assert_eq!(memory_limit(Some(1 << 44)), Some(u64::MAX));
        assert!(check_memory(u64::MAX - 1, memory_limit(Some(1 << 44)), true).is_ok());
        let e = check_memory(49 << 30, Some(24 << 30), false).unwrap_err();
        assert_eq!(e.code, codes::MEMORY_LIMIT);
        assert!(e.message.contains("50176 MB"), "{}", e.message);
    }

    #[test]
    fn mem_total_is_read_in_kilobytes() {
        let info = "MemTotal:       24599188 kB\nMemFree:  1 kB\n";
        assert_eq!(parse_mem_total(info), Some(24_599_188 * 1024));
        assert_eq!(parse_mem_total("nothing"), None);
    }
}

//! Every WGSL module in `shaders()` parses with naga's WGSL front end and validates (no adapter needed).

use naga::valid::{Capabilities, ValidationFlags, Validator};

/// Parses and validates one WGSL source, panicking with naga's diagnostic on failure.
fn validate(name: &str, src: &str) -> naga::valid::ModuleInfo {
    let module = naga::front::wgsl::parse_str(src)
        .unwrap_or_else(|e| panic!("{name}: WGSL parse error:\n{}", e.emit_to_string(src)));
    Validator::new(ValidationFlags::all(), Capabilities::empty())
        .validate(&module)
        .unwrap_or_else(|e| panic!("{name}: validation error: {e:?}"))
}

#[test]
fn all_shaders_parse_and_validate() {
    assert!(!zkm_gpu_kernels::shaders().is_empty());
    for (name, src) in zkm_gpu_kernels::shaders() {
        validate(name, src);
    }
}

#[test]
fn entry_points_exist() {
    let names: Vec<String> = zkm_gpu_kernels::shaders()
        .iter()
        .flat_map(|(_, src)| {
            naga::front::wgsl::parse_str(src)
                .expect("parses")
                .entry_points
        })
        .map(|e| e.name)
        .collect();
    for want in ["lde_local", "butterfly", "absorb", "merkle_level"] {
        assert!(
            names.iter().any(|n| n == want),
            "missing entry point {want}"
        );
    }
}

//! The `.zkm` standard library, embedded as source text.
//!
//! Each module is a `.zkm` file under `stdlib/std/`; `use std::nn::...` resolves to
//! `stdlib/std/nn.zkm`. Modules hold only `fn` items.

/// One embedded stdlib module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StdModule {
    /// Module path after `std`, e.g. `["nn"]`.
    pub path: &'static [&'static str],
    /// Display name used in diagnostics and listings, e.g. `std/nn.zkm`.
    pub file_name: &'static str,
    /// The module's source text.
    pub source: &'static str,
}

/// Every stdlib module.
pub const MODULES: &[StdModule] = &[StdModule {
    path: &["nn"],
    file_name: "std/nn.zkm",
    source: include_str!("../std/nn.zkm"),
}];

/// Finds the module `std::<path>`.
pub fn module(path: &[&str]) -> Option<&'static StdModule> {
    MODULES.iter().find(|m| m.path == path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn nn_is_found_and_unknown_is_not() {
        assert_eq!(
            super::module(&["nn"]).map(|m| m.file_name),
            Some("std/nn.zkm")
        );
        assert!(super::module(&["nope"]).is_none());
    }
}

//! libFuzzer target: [`zkm_fuzz_targets::proof_file`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zkm_fuzz_targets::proof_file(data));

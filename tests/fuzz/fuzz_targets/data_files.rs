//! libFuzzer target: [`zkm_fuzz_targets::data_files`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zkm_fuzz_targets::data_files(data));

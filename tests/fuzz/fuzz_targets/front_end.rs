//! libFuzzer target: [`zkm_fuzz_targets::front_end`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zkm_fuzz_targets::front_end(data));

//! libFuzzer target: [`zkm_fuzz_targets::onnx_import`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zkm_fuzz_targets::onnx_import(data));

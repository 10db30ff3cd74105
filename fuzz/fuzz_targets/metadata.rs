#![no_main]
// patchbay_core::fuzz_entry::metadata: see its documentation for what the bytes are.
libfuzzer_sys::fuzz_target!(|data: &[u8]| patchbay_core::fuzz_entry::metadata(data));

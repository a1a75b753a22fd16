//! A file given to `Store::import_jsonl`, read line by line into cases and rejections.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tinbao_core::fuzzing::import_jsonl(data);
});

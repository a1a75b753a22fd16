//! A file given to `Store::import_csv`: its header row, then each record into a case or a
//! rejection.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tinbao_core::fuzzing::import_csv(data);
});

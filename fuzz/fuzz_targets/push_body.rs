//! A push request body as `POST /v1/push` receives it (first byte: the gzip header and the
//! device's scope), decoded and each change checked by the server's policy.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tinbao_server::fuzzing::fuzz_push_body(data);
});

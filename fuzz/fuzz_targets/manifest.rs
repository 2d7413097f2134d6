//! The manifest reader (`diff --against`): any text, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = redis_ha::diff::load::parse(text, "fuzz.yaml");
        let _ = redis_ha::render::parse_document(text);
    }
});

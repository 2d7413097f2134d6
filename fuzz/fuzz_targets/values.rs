//! The values reader: any bytes as a values file, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_ha::values::FileLayer;
use redis_ha::values::yaml::parse_values;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_values(text, "fuzz.yaml", FileLayer::User);
    }
});

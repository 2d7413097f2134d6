//! The chart loader: any bytes as a `.tgz`, never a panic; a loaded chart renders or fails
//! cleanly.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let path = dir.path().join("chart.tgz");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let _ = redis_ha::chart::load(&path);
});

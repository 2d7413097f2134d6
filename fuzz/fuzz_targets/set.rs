//! The `--set` family grammar: any argument to any flag, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_ha::values::Map;
use redis_ha::values::strvals::{SetKind, apply};

const KINDS: [SetKind; 5] = [
    SetKind::Json,
    SetKind::Set,
    SetKind::String,
    SetKind::File,
    SetKind::Literal,
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(arg) = std::str::from_utf8(rest) else {
        return;
    };
    let mut map = Map::new();
    let kind = KINDS[usize::from(first) % KINDS.len()];
    let _ = apply(arg, kind, &mut map, &mut |p| Ok(p.to_owned()));
});

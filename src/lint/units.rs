//! Memory sizes as Kubernetes and Redis write them, to compare `maxmemory` with a limit.
//!
//! The two disagree: for Kubernetes `1M` is 10^6 and `1Mi` is 2^20; for Redis `1m` is 10^6 and
//! `1mb` is 2^20, case-insensitively. This module owns the Redis reading; Kubernetes'
//! grammar is [`crate::diff::quantity`]'s.

use crate::diff::quantity::Quantity;

/// A Kubernetes quantity (`512Mi`, `1.5Gi`, `1e9`, `128974848`) in bytes, read by the one
/// exact parser the diff uses too.
pub fn quantity_bytes(text: &str) -> Option<f64> {
    Quantity::parse(text).map(Quantity::to_f64)
}

/// A Redis memory size (`256mb`, `3gb`, `1000000`, `1g`) in bytes.
pub fn redis_bytes(text: &str) -> Option<f64> {
    let text = text.trim().to_ascii_lowercase();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" | "b" => 1.0,
        "k" => 1e3,
        "kb" => 1024.0,
        "m" => 1e6,
        "mb" => 1024f64.powi(2),
        "g" => 1e9,
        "gb" => 1024f64.powi(3),
        _ => return None,
    };
    Some(number * factor)
}

/// Bytes as people read them: `3.0GiB`, `512MiB`.
pub fn human(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 {
        format!("{value:.0}{}", UNITS[unit])
    } else {
        format!("{value:.1}{}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        let table = [
            ("512Mi", Some(512.0 * 1024.0 * 1024.0)),
            ("1.5Gi", Some(1.5 * 1024f64.powi(3))),
            ("1e3", Some(1000.0)),
            ("128974848", Some(128_974_848.0)),
            ("129M", Some(129e6)),
            ("1Gb", None),
            ("", None),
        ];
        for (text, expected) in table {
            assert_eq!(quantity_bytes(text), expected, "{text}");
        }
    }

    #[test]
    fn redis_sizes() {
        let table = [
            ("256mb", Some(256.0 * 1024.0 * 1024.0)),
            ("3GB", Some(3.0 * 1024f64.powi(3))),
            ("1g", Some(1e9)),
            ("1000", Some(1000.0)),
            ("1.5gb", None),
            ("12xb", None),
        ];
        for (text, expected) in table {
            assert_eq!(redis_bytes(text), expected, "{text}");
        }
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human(3.0 * 1024f64.powi(3)), "3GiB");
        assert_eq!(human(1536.0 * 1024.0), "1.5MiB");
    }
}

//! Quantities, exactly: Kubernetes resource quantities (`1Gi`, `500m`, `1.5`, `2e3`) and
//! Redis memory sizes (`256mb`, `1g`), the one type lint and diff compare sizes with.
//!
//! The API server rewrites quantities into its canonical form (`0.5` becomes `500m`), so a
//! live object and a render say the same thing in different words. This module parses the
//! grammar of `k8s.io/apimachinery/pkg/api/resource` exactly (no floating point) and leaves
//! deciding which fields hold quantities to its users ([`crate::diff::normalize`], the lint
//! rules). Kubernetes and Redis disagree on units: for Kubernetes `1M` is 10^6 and `1Mi` is
//! 2^20; for Redis `1m` is 10^6 and `1mb` is 2^20, case-insensitively.

use std::cmp::Ordering;

/// A quantity's value as `mantissa × 10^exponent`, with no trailing zeros in the mantissa,
/// so two equal values have equal representations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantity {
    mantissa: i128,
    exponent: i32,
}

impl Quantity {
    /// Parses a quantity string; `None` when it is not one.
    pub fn parse(text: &str) -> Option<Quantity> {
        let text = text.trim();
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, suffix) = rest.split_at(number_end);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
            return None;
        }
        let (ten, two) = suffix_exponents(suffix)?;
        let mut mantissa: i128 = 0;
        for digit in whole.bytes().chain(fraction.bytes()) {
            mantissa = mantissa
                .checked_mul(10)?
                .checked_add(i128::from(digit - b'0'))?;
        }
        mantissa = mantissa.checked_mul(1_i128.checked_shl(two)?)?;
        if negative {
            mantissa = -mantissa;
        }
        let exponent = ten.checked_sub(i32::try_from(fraction.len()).ok()?)?;
        Quantity::new(mantissa, exponent)
    }

    /// A quantity from a JSON value: a string, or a number as YAML wrote it (`cpu: 2`).
    pub fn from_json(value: &serde_json::Value) -> Option<Quantity> {
        match value {
            serde_json::Value::String(s) => Quantity::parse(s),
            serde_json::Value::Number(n) => Quantity::parse(&n.to_string()),
            _ => None,
        }
    }

    /// The value as a float, for arithmetic on sizes (lint's headroom checks); compare with
    /// [`Ord`], which is exact.
    pub fn to_f64(self) -> f64 {
        self.mantissa as f64 * 10f64.powi(self.exponent)
    }

    /// A Redis memory size (`256mb`, `3gb`, `1000000`, `1g`), in bytes.
    pub fn redis_memory(text: &str) -> Option<Quantity> {
        let text = text.trim().to_ascii_lowercase();
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (number, suffix) = text.split_at(split);
        if number.is_empty() {
            return None;
        }
        let (ten, two) = match suffix {
            "" | "b" => (0, 0),
            "k" => (3, 0),
            "kb" => (0, 10),
            "m" => (6, 0),
            "mb" => (0, 20),
            "g" => (9, 0),
            "gb" => (0, 30),
            _ => return None,
        };
        let mantissa: i128 = number.parse().ok()?;
        Quantity::new(mantissa.checked_mul(1_i128.checked_shl(two)?)?, ten)
    }

    /// A Kubernetes quantity (`512Mi`, `1.5Gi`, `1e9`) as a number of bytes, for arithmetic
    /// on sizes; `None` when it is not one.
    pub fn bytes(text: &str) -> Option<f64> {
        Quantity::parse(text).map(Quantity::to_f64)
    }

    fn new(mut mantissa: i128, mut exponent: i32) -> Option<Quantity> {
        if mantissa == 0 {
            return Some(Quantity {
                mantissa: 0,
                exponent: 0,
            });
        }
        while mantissa % 10 == 0 {
            mantissa /= 10;
            exponent = exponent.checked_add(1)?;
        }
        Some(Quantity { mantissa, exponent })
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        // Scale the one with the larger exponent down to the smaller; if that overflows, its
        // magnitude dwarfs the other's and the signs decide.
        let (a, b, flip) = if self.exponent >= other.exponent {
            (self, other, false)
        } else {
            (other, self, true)
        };
        let diff = u32::try_from(i64::from(a.exponent) - i64::from(b.exponent)).unwrap_or(u32::MAX);
        let scaled = 10_i128
            .checked_pow(diff)
            .and_then(|f| a.mantissa.checked_mul(f));
        let order = match scaled {
            Some(scaled) => scaled.cmp(&b.mantissa),
            None => a.mantissa.signum().cmp(&0),
        };
        if flip { order.reverse() } else { order }
    }
}

/// The powers of ten and of two a suffix stands for.
fn suffix_exponents(suffix: &str) -> Option<(i32, u32)> {
    Some(match suffix {
        "" => (0, 0),
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        "Ki" => (0, 10),
        "Mi" => (0, 20),
        "Gi" => (0, 30),
        "Ti" => (0, 40),
        "Pi" => (0, 50),
        "Ei" => (0, 60),
        _ => {
            let digits = suffix.strip_prefix(['e', 'E'])?;
            let unsigned = digits.strip_prefix(['+', '-']).unwrap_or(digits);
            if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (digits.parse().ok()?, 0)
        }
    })
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

    fn q(text: &str) -> Quantity {
        Quantity::parse(text).unwrap_or_else(|| panic!("{text} should parse"))
    }

    #[test]
    fn equal_values() {
        let table = [
            ("1Gi", "1024Mi"),
            ("1Mi", "1024Ki"),
            ("1Ki", "1024"),
            ("500m", "0.5"),
            ("1", "1000m"),
            ("2e3", "2k"),
            ("1E3", "1k"),
            ("1.5Gi", "1536Mi"),
            ("0", "0Gi"),
            ("+1", "1"),
            ("100M", "100000k"),
            ("1000000n", "1m"),
            ("1u", "1000n"),
            ("12e-1", "1.2"),
        ];
        for (a, b) in table {
            assert_eq!(q(a), q(b), "{a} == {b}");
            assert_eq!(q(a).cmp(&q(b)), Ordering::Equal, "{a} == {b}");
        }
    }

    #[test]
    fn ordering() {
        let table = [
            ("10Gi", "100Gi"),
            ("1G", "1Gi"),
            ("999Mi", "1Gi"),
            ("100m", "1"),
            ("-1", "0"),
            ("1n", "1Ei"),
            ("1e-30", "1e30"),
        ];
        for (small, big) in table {
            assert!(q(small) < q(big), "{small} < {big}");
            assert!(q(big) > q(small), "{big} > {small}");
        }
    }

    #[test]
    fn not_quantities() {
        for text in [
            "", "Gi", "1GB", "1.2.3", "abc", "1 Gi", "-", "1e", "1e+", "1ee2", "0x10", "1iB",
        ] {
            assert_eq!(Quantity::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn json_numbers() {
        use serde_json::json;
        assert_eq!(Quantity::from_json(&json!(2)), Some(q("2000m")));
        assert_eq!(Quantity::from_json(&json!(0.5)), Some(q("500m")));
        assert_eq!(Quantity::from_json(&json!(true)), None);
    }

    #[test]
    fn huge_values_do_not_panic() {
        assert_eq!(Quantity::parse(&"9".repeat(60)), None);
        assert!(Quantity::parse("1e2147483647").is_some());
        assert!(q("1e2147483647") > q("1Ei"));
        assert!(q("1e-2147483648") < q("1n"));
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
            assert_eq!(
                Quantity::redis_memory(text).map(Quantity::to_f64),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human(3.0 * 1024f64.powi(3)), "3GiB");
        assert_eq!(human(1536.0 * 1024.0), "1.5MiB");
    }
}

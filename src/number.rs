//! Exact decimal numbers for table values.
//!
//! Counts are integers and money is a decimal (`1646.5` 万元, `190.457379` 万元). Both are kept
//! exactly as a mantissa and a scale, so that sums and comparisons never suffer from binary
//! floating point and values print as they were written.

use std::cmp::Ordering;
use std::fmt;

/// `mantissa × 10^-scale`.
#[derive(Debug, Clone, Copy)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

/// Largest number of decimal places accepted.
pub const MAX_SCALE: u32 = 12;

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    /// An integer.
    pub fn from_int(v: i64) -> Self {
        Decimal {
            mantissa: v as i128,
            scale: 0,
        }
    }

    /// Parse `123`, `-8`, `+3`, `1646.5` (ASCII digits only; no exponent, no separators).
    pub fn parse(text: &str) -> Option<Self> {
        let (negative, digits) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (int, frac) = match digits.split_once('.') {
            Some((i, f)) => (i, f),
            None => (digits, ""),
        };
        if int.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || (digits.contains('.') && frac.is_empty())
            || frac.len() as u32 > MAX_SCALE
            || int.len() > 24
        {
            return None;
        }
        let mut mantissa: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            mantissa = mantissa.checked_mul(10)?.checked_add((b - b'0') as i128)?;
        }
        Some(Decimal {
            mantissa: if negative { -mantissa } else { mantissa },
            scale: frac.len() as u32,
        })
    }

    /// Whether the value has no fractional digits.
    pub fn is_integer(&self) -> bool {
        self.scale == 0 || self.mantissa % 10i128.pow(self.scale) == 0
    }

    /// The value as an integer, if it is one and fits.
    pub fn to_i64(&self) -> Option<i64> {
        if self.scale == 0 {
            return i64::try_from(self.mantissa).ok();
        }
        if !self.is_integer() {
            return None;
        }
        i64::try_from(self.mantissa / 10i128.pow(self.scale)).ok()
    }

    /// Approximate value, for charts.
    pub fn to_f64(&self) -> f64 {
        self.mantissa as f64 / 10f64.powi(self.scale as i32)
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// Whether the value is below zero.
    pub fn is_negative(&self) -> bool {
        self.mantissa < 0
    }

    /// Whether the value is above zero.
    pub fn is_positive(&self) -> bool {
        self.mantissa > 0
    }

    /// Absolute value.
    pub fn abs(self) -> Self {
        Decimal {
            mantissa: self.mantissa.abs(),
            scale: self.scale,
        }
    }

    /// `self + other`, saturating (values are bounded far below the limits by the loader).
    pub fn plus(self, other: Decimal) -> Decimal {
        // Counts, nearly every value: no rescaling (128-bit multiplications) and nothing to trim.
        if self.scale == 0 && other.scale == 0 {
            return Decimal {
                mantissa: self.mantissa.saturating_add(other.mantissa),
                scale: 0,
            };
        }
        let scale = self.scale.max(other.scale);
        let a = self.rescaled(scale);
        let b = other.rescaled(scale);
        Decimal {
            mantissa: a.saturating_add(b),
            scale,
        }
        .trimmed()
    }

    /// `self − other`.
    pub fn minus(self, other: Decimal) -> Decimal {
        self.plus(other.negated())
    }

    /// `−self`.
    pub fn negated(self) -> Decimal {
        Decimal {
            mantissa: -self.mantissa,
            scale: self.scale,
        }
    }

    /// Multiply by an integer factor (for sign).
    pub fn times(self, k: i8) -> Decimal {
        Decimal {
            mantissa: self.mantissa.saturating_mul(k as i128),
            scale: self.scale,
        }
    }

    fn rescaled(&self, scale: u32) -> i128 {
        self.mantissa
            .saturating_mul(10i128.saturating_pow(scale.saturating_sub(self.scale)))
    }

    fn trimmed(mut self) -> Decimal {
        while self.scale > 0 && self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        self
    }

    /// Text with an explicit sign for positive values (`+3`, `-8`, `0`), for 本年增/减.
    pub fn signed_text(&self) -> String {
        if self.is_positive() {
            format!("+{self}")
        } else {
            self.to_string()
        }
    }

    /// Convert yuan to 万元 (divide by 10 000), exactly.
    pub fn yuan_to_wan(self) -> Decimal {
        Decimal {
            mantissa: self.mantissa,
            scale: self.scale + 4,
        }
        .trimmed()
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Decimal {}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.scale == other.scale {
            return self.mantissa.cmp(&other.mantissa);
        }
        let scale = self.scale.max(other.scale);
        self.rescaled(scale).cmp(&other.rescaled(scale))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Counts, nearly every value: printed as a 64-bit integer (no 128-bit division).
        if self.scale == 0
            && let Ok(v) = i64::try_from(self.mantissa)
        {
            return f.write_str(itoa::Buffer::new().format(v));
        }
        let t = self.trimmed();
        if t.scale == 0 {
            return write!(f, "{}", t.mantissa);
        }
        let sign = if t.mantissa < 0 { "-" } else { "" };
        let m = t.mantissa.unsigned_abs();
        let p = 10u128.pow(t.scale);
        write!(
            f,
            "{sign}{}.{:0width$}",
            m / p,
            m % p,
            width = t.scale as usize
        )
    }
}

impl serde::Serialize for Decimal {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.to_i64() {
            Some(i) => s.serialize_i64(i),
            None => {
                let n: serde_json::Number = self
                    .to_string()
                    .parse()
                    .map_err(serde::ser::Error::custom)?;
                n.serialize(s)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Decimal;

    #[test]
    fn integers_take_the_short_paths_with_the_same_results() {
        let d = |t: &str| Decimal::parse(t).unwrap();
        // Printing on both sides of the 64-bit range.
        for t in [
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "-9223372036854775809",
            "123456789012345678901234",
        ] {
            assert_eq!(d(t).to_string(), t);
        }
        assert_eq!(d("9223372036854775807").to_i64(), Some(i64::MAX));
        assert_eq!(d("9223372036854775808").to_i64(), None);
        assert_eq!(d("12.000").to_i64(), Some(12));
        // Sums and comparisons of counts, and of counts with decimals.
        assert_eq!(d("7").plus(d("-9")).to_string(), "-2");
        assert_eq!(d("7").plus(d("0.50")).to_string(), "7.5");
        assert_eq!(d("1.5").plus(d("1.5")).to_string(), "3");
        assert!(d("3") < d("4") && d("3") == d("3.0") && d("3.01") > d("3"));
        assert_eq!(d("-8").signed_text(), "-8");
        assert_eq!(d("8").signed_text(), "+8");
    }

    #[test]
    fn parses_and_prints_exactly() {
        for t in ["0", "14", "-8", "1646.5", "190.457379", "0.05"] {
            assert_eq!(Decimal::parse(t).unwrap().to_string(), t);
        }
        assert_eq!(Decimal::parse("+3").unwrap().to_string(), "3");
        assert_eq!(Decimal::parse("3.50").unwrap().to_string(), "3.5");
        for bad in [
            "", "-", "1.", ".5", "1e3", "1,000", "１", "3 ", "--1", "1.2.3",
        ] {
            assert!(Decimal::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn arithmetic_is_exact() {
        let a = Decimal::parse("0.1").unwrap();
        let b = Decimal::parse("0.2").unwrap();
        assert_eq!(a.plus(b), Decimal::parse("0.3").unwrap());
        assert_eq!(
            Decimal::parse("14").unwrap().minus(Decimal::from_int(10)),
            Decimal::from_int(4)
        );
        assert_eq!(Decimal::from_int(-8).signed_text(), "-8");
        assert_eq!(Decimal::from_int(3).signed_text(), "+3");
        assert_eq!(
            Decimal::from_int(169844).yuan_to_wan().to_string(),
            "16.9844"
        );
    }

    #[test]
    fn huge_values_do_not_panic() {
        assert!(Decimal::parse(&"9".repeat(30)).is_none());
        let big = Decimal::parse(&"9".repeat(24)).unwrap();
        let _ = big.plus(big).plus(big);
    }
}

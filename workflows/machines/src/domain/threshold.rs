//! A share of a whole, as statutes write vote thresholds: `2/3`, `80%` or
//! `majority`.
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A share of a whole, written `2/3`, `80%` or `majority`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Threshold {
    numerator: u64,
    denominator: u64,
    /// `majority` means strictly more than half.
    strict: bool,
}

impl Threshold {
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let parsed = if t == "majority" {
            Some((1, 2, true))
        } else if let Some(p) = t.strip_suffix('%') {
            p.trim().parse::<u64>().ok().map(|p| (p, 100, false))
        } else if let Some((n, d)) = t.split_once('/') {
            n.trim()
                .parse::<u64>()
                .ok()
                .zip(d.trim().parse::<u64>().ok())
                .map(|(n, d)| (n, d, false))
        } else {
            None
        };
        match parsed {
            Some((n, d, strict)) if d > 0 && n > 0 && n <= d => Ok(Self {
                numerator: n,
                denominator: d,
                strict,
            }),
            _ => Err(format!(
                "`{text}` is not a threshold: write a fraction like `2/3`, a percentage like `80%`, or `majority`"
            )),
        }
    }

    pub fn is_met(self, yes: u32, of: u32) -> bool {
        if of == 0 {
            return false;
        }
        let lhs = u64::from(yes) * self.denominator;
        let rhs = self.numerator * u64::from(of);
        if self.strict { lhs > rhs } else { lhs >= rhs }
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.strict {
            f.write_str("majority")
        } else if self.denominator == 100 {
            write!(f, "{}%", self.numerator)
        } else {
            write!(f, "{}/{}", self.numerator, self.denominator)
        }
    }
}

impl Serialize for Threshold {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Threshold {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Threshold::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds() {
        let two_thirds = Threshold::parse("2/3").unwrap();
        assert!(two_thirds.is_met(6, 9));
        assert!(!two_thirds.is_met(5, 9));
        let eighty = Threshold::parse("80%").unwrap();
        assert!(eighty.is_met(40, 50));
        assert!(!eighty.is_met(39, 50));
        let majority = Threshold::parse("majority").unwrap();
        assert!(!majority.is_met(5, 10));
        assert!(majority.is_met(6, 10));
        assert!(Threshold::parse("3/2").is_err());
        assert!(
            Threshold::parse("lots")
                .unwrap_err()
                .contains("not a threshold")
        );
    }
}

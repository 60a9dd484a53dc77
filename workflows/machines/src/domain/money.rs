//! Money as integer cents, never a float: what an appropriation, an award
//! and a claim are counted in.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Cents(pub i64);

impl Cents {
    pub const ZERO: Cents = Cents(0);

    pub fn get(self) -> i64 {
        self.0
    }

    /// An amount a person gave: whole cents, not negative, below a
    /// trillion dollars (so sums of many never overflow).
    pub fn parse_amount(field: &str, cents: i64) -> Result<Cents, String> {
        if cents < 0 {
            return Err(format!("The {field} cannot be negative."));
        }
        if cents > 100_000_000_000_000 {
            return Err(format!("The {field} is beyond any appropriation."));
        }
        Ok(Cents(cents))
    }

    /// `self * numerator / denominator`, rounded down, in whole cents.
    pub fn share(self, numerator: i64, denominator: i64) -> Cents {
        if denominator == 0 {
            return Cents::ZERO;
        }
        Cents((i128::from(self.0) * i128::from(numerator) / i128::from(denominator)) as i64)
    }

    pub fn percent(self, percent: u32) -> Cents {
        self.share(i64::from(percent), 100)
    }
}

impl Add for Cents {
    type Output = Cents;
    fn add(self, other: Cents) -> Cents {
        Cents(self.0.saturating_add(other.0))
    }
}

impl Sub for Cents {
    type Output = Cents;
    fn sub(self, other: Cents) -> Cents {
        Cents(self.0.saturating_sub(other.0))
    }
}

impl Sum for Cents {
    fn sum<I: Iterator<Item = Cents>>(iter: I) -> Cents {
        iter.fold(Cents::ZERO, |a, b| a + b)
    }
}

/// `$1,234,567.89`, as a clerk writes it.
impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let dollars = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in dollars.chars().enumerate() {
            if i > 0 && (dollars.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        write!(f, "{sign}${grouped}.{:02}", abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_as_dollars_and_cents() {
        assert_eq!(Cents(0).to_string(), "$0.00");
        assert_eq!(Cents(5).to_string(), "$0.05");
        assert_eq!(Cents(140_000_000).to_string(), "$1,400,000.00");
        assert_eq!(Cents(123_456_789).to_string(), "$1,234,567.89");
        assert_eq!(Cents(-1999).to_string(), "-$19.99");
    }

    #[test]
    fn shares_round_down_and_refuse_bad_amounts() {
        assert_eq!(Cents(1000).percent(10), Cents(100));
        assert_eq!(Cents(999).share(1, 3), Cents(333));
        assert!(Cents::parse_amount("award", -1).is_err());
        assert!(Cents::parse_amount("award", i64::MAX).is_err());
    }
}

//! Statutory clocks written the way profiles and people write them: `60d`,
//! `12h`, `30m`, or `5s` for tests.
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClockDuration {
    seconds: u64,
}

impl ClockDuration {
    pub const fn from_seconds(seconds: u64) -> Self {
        Self { seconds }
    }
    pub const fn days(days: u64) -> Self {
        Self {
            seconds: days * 86_400,
        }
    }
    pub fn seconds(self) -> u64 {
        self.seconds
    }
    pub fn chrono(self) -> chrono::Duration {
        chrono::Duration::seconds(i64::try_from(self.seconds).unwrap_or(i64::MAX))
    }

    /// For people: "60-day", "12-hour", "6-second".
    pub fn adjective(self) -> String {
        let s = self.seconds;
        let (n, unit) = if s.is_multiple_of(86_400) {
            (s / 86_400, "day")
        } else if s.is_multiple_of(3_600) {
            (s / 3_600, "hour")
        } else if s.is_multiple_of(60) {
            (s / 60, "minute")
        } else {
            (s, "second")
        };
        format!("{n}-{unit}")
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(|| format!("`{text}` needs a unit: d, h, m or s (for example `60d`)"))?;
        let (number, unit) = text.split_at(split);
        let n: u64 = number
            .parse()
            .map_err(|_| format!("`{text}` does not start with a whole number"))?;
        let factor = match unit {
            "d" => 86_400,
            "h" => 3_600,
            "m" => 60,
            "s" => 1,
            _ => return Err(format!("`{text}` has unit `{unit}`; use d, h, m or s")),
        };
        if n == 0 {
            return Err(format!("`{text}` must be longer than zero"));
        }
        Ok(Self {
            seconds: n.saturating_mul(factor),
        })
    }
}

impl fmt::Display for ClockDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.seconds;
        if s.is_multiple_of(86_400) {
            write!(f, "{}d", s / 86_400)
        } else if s.is_multiple_of(3_600) {
            write!(f, "{}h", s / 3_600)
        } else if s.is_multiple_of(60) {
            write!(f, "{}m", s / 60)
        } else {
            write!(f, "{s}s")
        }
    }
}

impl Serialize for ClockDuration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for ClockDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ClockDuration::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_round_trips() {
        assert_eq!(ClockDuration::parse("60d").unwrap().seconds(), 60 * 86_400);
        assert_eq!(ClockDuration::parse("3s").unwrap().seconds(), 3);
        assert_eq!(ClockDuration::parse("90m").unwrap().to_string(), "90m");
        assert!(ClockDuration::parse("60").unwrap_err().contains("unit"));
        assert!(ClockDuration::parse("6w").unwrap_err().contains("unit `w`"));
        assert!(ClockDuration::parse("0d").is_err());
    }
}

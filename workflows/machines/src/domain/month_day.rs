//! A day that comes every year, written `03-01`: a statutory due date, the
//! day a reporting year starts.
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct MonthDay {
    pub month: u32,
    pub day: u32,
}

impl MonthDay {
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("`{text}` is not a day of the year written MM-DD, e.g. `03-01`");
        let (m, d) = text.trim().split_once('-').ok_or_else(bad)?;
        let (month, day) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
        // 2024 is a leap year: February 29 is a day that comes (most) years.
        NaiveDate::from_ymd_opt(2024, month, day).ok_or_else(bad)?;
        Ok(Self { month, day })
    }

    /// The day in `year`, at midnight UTC; February 29 falls back to the
    /// 28th in a common year.
    pub fn in_year(self, year: i32) -> DateTime<Utc> {
        let date = NaiveDate::from_ymd_opt(year, self.month, self.day)
            .or_else(|| NaiveDate::from_ymd_opt(year, self.month, self.day - 1))
            .unwrap_or(NaiveDate::MIN);
        Utc.from_utc_datetime(&date.and_time(chrono::NaiveTime::MIN))
    }

    /// "March 1".
    pub fn describe(self) -> String {
        NaiveDate::from_ymd_opt(2024, self.month, self.day)
            .map(|d| d.format("%B %-d").to_string())
            .unwrap_or_default()
    }
}

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

impl Serialize for MonthDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for MonthDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        MonthDay::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_days_of_the_year_and_refuses_others() {
        assert_eq!(MonthDay::parse("03-01").unwrap().to_string(), "03-01");
        assert_eq!(MonthDay::parse("3-1").unwrap().describe(), "March 1");
        assert!(MonthDay::parse("13-01").is_err());
        assert!(MonthDay::parse("02-30").is_err());
        assert!(MonthDay::parse("March 1").is_err());
        let leap = MonthDay::parse("02-29").unwrap();
        assert_eq!(
            leap.in_year(2027).format("%Y-%m-%d").to_string(),
            "2027-02-28"
        );
        assert_eq!(
            leap.in_year(2028).format("%Y-%m-%d").to_string(),
            "2028-02-29"
        );
    }
}

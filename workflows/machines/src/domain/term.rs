//! When an approved waiver's term ends, by the state's rule.
use super::duration::ClockDuration;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum TermRule {
    /// A fixed number of years from approval (TX, MS: up to 5).
    Years { years: u32 },
    /// Until June 30 of the Nth full school year after approval
    /// (KY 701 KAR 5:170: the third).
    FullSchoolYears { full_school_years: u32 },
    /// A plain duration; used by test profiles to run terms in seconds.
    Duration { length: ClockDuration },
}

impl TermRule {
    pub fn end_from(&self, start: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            TermRule::Years { years } => add_years(start, *years),
            TermRule::FullSchoolYears { full_school_years } => {
                let d = start.date_naive();
                // A school year runs July 1 to June 30; the first full one
                // starts on the first July 1 on or after approval.
                let first_full_start_year = if (d.month(), d.day()) <= (7, 1) {
                    d.year()
                } else {
                    d.year() + 1
                };
                let end_year = first_full_start_year + *full_school_years as i32;
                end_of_day(NaiveDate::from_ymd_opt(end_year, 6, 30).unwrap_or(d))
            }
            TermRule::Duration { length } => start + length.chrono(),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            TermRule::Years { years } => format!("{years} years from approval"),
            TermRule::FullSchoolYears { full_school_years } => {
                format!("until June 30 of full school year {full_school_years} after approval")
            }
            TermRule::Duration { length } => format!("{length} from approval"),
        }
    }
}

fn add_years(start: DateTime<Utc>, years: u32) -> DateTime<Utc> {
    start
        .with_year(start.year() + years as i32)
        // Feb 29 has no anniversary in a common year: end the day before.
        .or_else(|| (start - chrono::Duration::days(1)).with_year(start.year() + years as i32))
        .unwrap_or(start)
}

fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    let naive = date.and_hms_opt(23, 59, 59).unwrap_or_default();
    Utc.from_utc_datetime(&naive)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn kentucky_third_full_school_year() {
        let rule = TermRule::FullSchoolYears {
            full_school_years: 3,
        };
        // Approved mid-year: 2025-26 is partial, so 26-27, 27-28, 28-29 are the full ones.
        assert_eq!(
            rule.end_from(at(2026, 3, 10)).date_naive(),
            NaiveDate::from_ymd_opt(2029, 6, 30).unwrap()
        );
        // Approved before July 1: the coming school year is the first full one.
        assert_eq!(
            rule.end_from(at(2026, 6, 15)).date_naive(),
            NaiveDate::from_ymd_opt(2029, 6, 30).unwrap()
        );
        assert_eq!(
            rule.end_from(at(2026, 7, 2)).date_naive(),
            NaiveDate::from_ymd_opt(2030, 6, 30).unwrap()
        );
    }

    #[test]
    fn years_and_leap_days() {
        let rule = TermRule::Years { years: 5 };
        assert_eq!(rule.end_from(at(2026, 1, 5)), at(2031, 1, 5));
        assert_eq!(
            rule.end_from(at(2028, 2, 29)).date_naive(),
            NaiveDate::from_ymd_opt(2033, 2, 28).unwrap()
        );
    }
}

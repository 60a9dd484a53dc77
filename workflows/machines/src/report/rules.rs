//! The report section of the state profile: what the statute asks of the
//! annual usage report (its reporting year, when compilation starts, when
//! it is due and to whom) and the threshold below which a student count is
//! withheld. Colorado (C.R.S. 22-32.5-111) reports by March 1 to the
//! governor and the education committees; Idaho by January 31.
use super::progress::ProgressRules;
use super::suppression::SuppressionRule;
use crate::domain::duration::ClockDuration;
use crate::domain::month_day::MonthDay;
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRules {
    /// The report's title, e.g. "Annual report on innovation schools and
    /// zones".
    pub name: String,
    /// The law that requires it.
    pub statute: String,
    /// The day each reporting year starts, e.g. `07-01` for a school year.
    pub year_starts: MonthDay,
    /// The day compilation of a finished year starts.
    pub compile_on: MonthDay,
    /// The statutory due date, after the year ends.
    pub due: MonthDay,
    /// Student counts from 1 to `suppression_threshold - 1` are withheld.
    pub suppression_threshold: u64,
    /// Whether a count of zero is withheld too.
    #[serde(default)]
    pub suppress_zero: bool,
    /// Committee and office addresses the report is delivered to, beside
    /// every person holding the legislator role.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// For test profiles only: the schedule starts the latest year's
    /// report this often instead of once a year on `compile_on`.
    #[serde(default)]
    pub schedule_every: Option<ClockDuration>,
    /// Each waiver's yearly progress report; none when the state asks for
    /// none.
    #[serde(default)]
    pub progress: Option<ProgressRules>,
}

/// One reporting year: the year it ends in names it (2027 for 2026-27).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportingYear {
    pub ends_in: i32,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    /// When compilation starts.
    pub compile_at: DateTime<Utc>,
    /// When the report is due.
    pub due_at: DateTime<Utc>,
}

impl ReportingYear {
    /// `2026-27`, or `2027` for a calendar year.
    pub fn label(&self) -> String {
        if self.starts.year() == self.ends_in {
            self.ends_in.to_string()
        } else {
            format!("{}-{:02}", self.starts.year(), self.ends_in % 100)
        }
    }
}

impl ReportRules {
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() || self.statute.trim().is_empty() {
            return Err("report.name and report.statute must not be empty".into());
        }
        if !(2..=100).contains(&self.suppression_threshold) {
            return Err(format!(
                "report.suppression_threshold is {}; it withholds counts below it, so give 2 to 100 (states use 5, 10 or 16)",
                self.suppression_threshold
            ));
        }
        for address in &self.recipients {
            let ok = address
                .split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
                && !address.chars().any(|c| c.is_whitespace() || c.is_control());
            if !ok {
                return Err(format!(
                    "report.recipients: `{address}` is not an email address"
                ));
            }
        }
        if let Some(p) = &self.progress {
            p.validate()?;
        }
        // Due within a year of the year's end: a due date that comes round
        // only later means the days are out of order.
        let year = self.year(2030);
        if (year.due_at - year.ends).num_days() > 366 {
            return Err(format!(
                "the report's year starts {}, is compiled from {} and due {}: the due date must come within a year of the year's end, after compilation starts",
                self.year_starts.describe(),
                self.compile_on.describe(),
                self.due.describe()
            ));
        }
        Ok(())
    }

    /// The reporting year that ends in `ends_in`, with its compilation and
    /// due dates: each the first such day after what comes before it.
    pub fn year(&self, ends_in: i32) -> ReportingYear {
        let calendar = self.year_starts == MonthDay { month: 1, day: 1 };
        // A calendar year is named for itself; a school year for the year
        // it ends in.
        let ends = self
            .year_starts
            .in_year(if calendar { ends_in + 1 } else { ends_in });
        let starts = self.year_starts.in_year(ends.year() - 1);
        let first_after = |day: MonthDay, after: DateTime<Utc>, strictly: bool| {
            let same = day.in_year(after.year());
            if same > after || (!strictly && same == after) {
                same
            } else {
                day.in_year(after.year() + 1)
            }
        };
        let compile_at = first_after(self.compile_on, ends, false);
        let due_at = first_after(self.due, compile_at, true);
        ReportingYear {
            ends_in,
            starts,
            ends,
            compile_at,
            due_at,
        }
    }

    /// The latest reporting year whose compilation has started by `now`:
    /// the one a schedule firing at `now` reports on.
    pub fn latest_compiled(&self, now: DateTime<Utc>) -> i32 {
        (now.year() - 3..=now.year() + 1)
            .rev()
            .find(|&y| self.year(y).compile_at <= now)
            .unwrap_or(now.year() - 3)
    }

    /// The latest reporting year that has ended by `now`: the one whose
    /// progress reports fall due.
    pub fn latest_ended(&self, now: DateTime<Utc>) -> i32 {
        (now.year() - 2..=now.year() + 1)
            .rev()
            .find(|&y| self.year(y).ends <= now)
            .unwrap_or(now.year() - 2)
    }

    pub fn suppression(&self) -> SuppressionRule {
        SuppressionRule {
            threshold: self.suppression_threshold,
            suppress_zero: self.suppress_zero,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(starts: &str, compile: &str, due: &str) -> ReportRules {
        ReportRules {
            name: "Annual report".into(),
            statute: "C.R.S. 22-32.5-111".into(),
            year_starts: MonthDay::parse(starts).unwrap(),
            compile_on: MonthDay::parse(compile).unwrap(),
            due: MonthDay::parse(due).unwrap(),
            suppression_threshold: 10,
            suppress_zero: false,
            recipients: vec!["education@leg.state.example".into()],
            schedule_every: None,
            progress: None,
        }
    }

    fn day(t: DateTime<Utc>) -> String {
        t.format("%Y-%m-%d").to_string()
    }

    #[test]
    fn a_school_year_is_compiled_in_the_fall_and_due_the_next_spring() {
        // Colorado: the school year 2026-27, due March 1, 2028.
        let y = rules("07-01", "11-01", "03-01").year(2027);
        assert_eq!(y.label(), "2026-27");
        assert_eq!(
            (day(y.starts), day(y.ends)),
            ("2026-07-01".into(), "2027-07-01".into())
        );
        assert_eq!(day(y.compile_at), "2027-11-01");
        assert_eq!(day(y.due_at), "2028-03-01");
    }

    #[test]
    fn a_calendar_year_is_due_the_next_winter() {
        // Idaho: calendar 2026, compiled January 2, due January 31, 2027.
        let y = rules("01-01", "01-02", "01-31").year(2026);
        assert_eq!(y.label(), "2026");
        assert_eq!(
            (day(y.starts), day(y.ends)),
            ("2026-01-01".into(), "2027-01-01".into())
        );
        assert_eq!(
            (day(y.compile_at), day(y.due_at)),
            ("2027-01-02".into(), "2027-01-31".into())
        );
    }

    #[test]
    fn the_schedule_reports_on_the_year_whose_compilation_has_started() {
        let r = rules("07-01", "11-01", "03-01");
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        // 2026-27 ends 2027-07-01 and is compiled from 2027-11-01.
        assert_eq!(r.latest_compiled(at("2027-11-01T00:00:00Z")), 2027);
        assert_eq!(r.latest_compiled(at("2027-10-31T23:59:59Z")), 2026);
        assert_eq!(r.latest_compiled(at("2028-02-01T00:00:00Z")), 2027);
        assert_eq!(r.latest_ended(at("2027-07-01T00:00:00Z")), 2027);
        assert_eq!(r.latest_ended(at("2027-06-30T23:00:00Z")), 2026);
        let idaho = rules("01-01", "01-02", "01-31");
        assert_eq!(idaho.latest_compiled(at("2027-01-02T00:00:00Z")), 2026);
        assert_eq!(idaho.latest_compiled(at("2027-01-01T12:00:00Z")), 2025);
    }

    #[test]
    fn bad_rules_are_named() {
        assert!(rules("07-01", "11-01", "03-01").validate().is_ok());
        let mut r = rules("07-01", "11-01", "03-01");
        r.suppression_threshold = 1;
        assert!(r.validate().unwrap_err().contains("suppression_threshold"));
        let mut r = rules("07-01", "11-01", "03-01");
        r.recipients = vec!["committee at the capitol".into()];
        assert!(r.validate().unwrap_err().contains("not an email address"));
        assert_eq!(rules("07-01", "11-01", "03-01").suppression().threshold, 10);
        // Compiled the day before the next year ends, due before that:
        // the due date comes round only two years on.
        let err = rules("07-01", "06-30", "06-01").validate().unwrap_err();
        assert!(err.contains("within a year"), "{err}");
    }
}

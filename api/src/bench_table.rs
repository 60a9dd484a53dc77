//! The benchmark's one table: each measurement beside the baseline it is
//! compared with, measured in the same run (these machines are shared and
//! noisy, so the ratio is what counts), and the target it must meet.
use std::time::Duration;

#[derive(Clone, Debug, Default)]
pub struct Sample {
    pub name: String,
    pub durations: Vec<Duration>,
}

impl Sample {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            durations: Vec::new(),
        }
    }
    fn at(&self, fraction: f64) -> Duration {
        let mut d = self.durations.clone();
        d.sort();
        let i = ((d.len() as f64 * fraction) as usize).min(d.len().saturating_sub(1));
        d.get(i).copied().unwrap_or_default()
    }
    pub fn median(&self) -> Duration {
        self.at(0.5)
    }
    pub fn p90(&self) -> Duration {
        self.at(0.9)
    }
    pub fn p99(&self) -> Duration {
        self.at(0.99)
    }
}

/// One line: a figure, how it compares with its baseline, and the target.
pub struct Line {
    pub name: String,
    pub runs: usize,
    /// The figure itself, as printed (ms, ops/s, MB/s).
    pub value: String,
    pub p90: String,
    pub p99: String,
    /// The figure over the baseline's (for times, greater is slower).
    pub ratio: Option<f64>,
    pub target: String,
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

impl Line {
    /// A latency sample, as a baseline (no ratio) or against one.
    pub fn latency(sample: &Sample, baseline: Option<&Sample>, target: &str) -> Self {
        Self {
            name: sample.name.clone(),
            runs: sample.durations.len(),
            value: ms(sample.median()),
            p90: ms(sample.p90()),
            p99: ms(sample.p99()),
            ratio: baseline
                .map(|b| sample.median().as_secs_f64() / b.median().as_secs_f64().max(1e-9)),
            target: target.to_string(),
        }
    }

    /// A p90 ratio line for a sample already printed.
    pub fn p90_ratio(sample: &Sample, baseline: &Sample, target: &str) -> Self {
        Self {
            name: "  same, at p90".to_string(),
            runs: sample.durations.len(),
            value: ms(sample.p90()),
            p90: String::new(),
            p99: String::new(),
            ratio: Some(sample.p90().as_secs_f64() / baseline.p90().as_secs_f64().max(1e-9)),
            target: target.to_string(),
        }
    }
}

pub fn render(lines: &[Line]) -> String {
    let mut out = format!(
        "{:<62} {:>6} {:>14} {:>11} {:>11} {:>10}  {}\n",
        "measurement", "n", "p50 / rate", "p90", "p99", "ratio", "target"
    );
    for l in lines {
        out.push_str(&format!(
            "{:<62} {:>6} {:>14} {:>11} {:>11} {:>10}  {}\n",
            l.name,
            l.runs,
            l.value,
            l.p90,
            l.p99,
            l.ratio
                .map(|r| format!("{r:.2}x"))
                .unwrap_or_else(|| "baseline".into()),
            l.target
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_show_medians_and_ratios_against_their_baseline() {
        let mut base = Sample::new("base");
        base.durations = [1, 2, 3].map(Duration::from_millis).to_vec();
        let mut slow = Sample::new("slow");
        slow.durations = [4, 6, 8].map(Duration::from_millis).to_vec();
        let t = render(&[
            Line::latency(&base, None, ""),
            Line::latency(&slow, Some(&base), "<= 1.5x"),
        ]);
        assert!(
            t.contains("2.00 ms") && t.contains("6.00 ms") && t.contains("3.00x"),
            "{t}"
        );
        assert!(t.contains("baseline"), "{t}");
    }
}

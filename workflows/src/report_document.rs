//! The annual report as it is printed: every figure already suppressed and
//! turned into text, so the PDF, the CSV and the public page show the same
//! thing. Legislators read this; the JSON beside it carries the numbers.
use serde::{Deserialize, Serialize};

/// What the report prints in a cell whose count is withheld.
pub const WITHHELD: &str = "*";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportDocument {
    /// "Annual report on innovation schools and zones".
    pub title: String,
    /// "Colorado Department of Education".
    pub agency: String,
    /// "2025-26".
    pub year_label: String,
    /// The law that requires the report.
    pub statute: String,
    /// "Due 1 March 2027 to the governor and the education committees".
    pub due_line: String,
    /// "Version 3, compiled 1 February 2027 at 14:03 UTC".
    pub version_line: String,
    /// The summary in plain words: a few short paragraphs.
    pub summary: Vec<String>,
    pub sections: Vec<Section>,
    /// The audit trail's heads at compilation: label and value.
    pub anchors: Vec<Anchor>,
    /// What `WITHHELD` means, and the threshold.
    pub suppression_note: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
    /// A list printed after the paragraphs (recommendations).
    pub bullets: Vec<String>,
    pub tables: Vec<Table>,
    pub charts: Vec<BarChart>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Printed above the table, and its caption on the web.
    pub caption: String,
    pub columns: Vec<String>,
    /// Each row has one cell per column; the first is the row's label.
    pub rows: Vec<Vec<String>>,
    /// Printed below the table, if any.
    pub note: Option<String>,
}

/// Vertical bars, one group per `Bar`, one bar per series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BarChart {
    pub title: String,
    /// The chart said in words, for readers who cannot see it.
    pub alt: String,
    /// What the values count: "line items", "students", "dollars".
    pub unit: String,
    pub series: Vec<String>,
    pub bars: Vec<Bar>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    pub label: String,
    /// One per series; `None` where the value is withheld.
    pub values: Vec<Option<f64>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub label: String,
    pub value: String,
}

//! What every `leeway import` shares: a CSV file read against the header
//! it must have, every bad line reported by number and reason before
//! anything is written, and an entry on the `imports` audit chain with
//! the file's SHA-256.
use chrono::Utc;
use leeway_machines::engine::text::{TextSize, clean_text};
use leeway_workflows::audit::{self, AuditRecord};
use sea_orm::{ConnectionTrait, DbErr, TransactionTrait};
use sha2::{Digest, Sha256};

/// The audit chain every import is recorded on.
pub const IMPORTS_CHAIN: &str = "imports";

/// A line of the file that cannot be imported, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{count} line(s) cannot be imported, so nothing was:\n{list}", count = .0.len(), list = list(.0))]
    BadRows(Vec<RowError>),
    #[error("the database: {0}")]
    Database(#[from] DbErr),
}

fn list(errors: &[RowError]) -> String {
    errors
        .iter()
        .map(|e| format!("  line {}: {}", e.line, e.reason))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A file's records: the good ones with their line numbers, and every
/// line that failed, with why.
pub struct Parsed<T> {
    pub good: Vec<(u64, T)>,
    pub bad: Vec<RowError>,
}

/// Each record of a CSV file with exactly `header`, parsed by `parse`.
pub fn rows<T>(
    bytes: &[u8],
    header: &[&str],
    mut parse: impl FnMut(&Row<'_>) -> Result<T, String>,
) -> Result<Parsed<T>, ImportError> {
    let bad_header = |reason: String| ImportError::BadRows(vec![RowError { line: 1, reason }]);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(bytes);
    let found: Vec<String> = reader
        .headers()
        .map_err(|e| bad_header(format!("the header cannot be read: {e}")))?
        .iter()
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if found != header {
        return Err(bad_header(format!(
            "the header must be `{}`, not `{}`",
            header.join(","),
            found.join(",")
        )));
    }
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    for record in reader.records() {
        let (line, parsed) = match record {
            Ok(r) => (
                r.position().map_or(0, |p| p.line()),
                if r.len() == header.len() {
                    parse(&Row { header, record: &r })
                } else {
                    Err(format!(
                        "it has {} fields; the header has {}",
                        r.len(),
                        header.len()
                    ))
                },
            ),
            Err(e) => (
                e.position().map_or(0, |p| p.line()),
                Err(format!("it cannot be read: {e}")),
            ),
        };
        match parsed {
            Ok(t) => good.push((line, t)),
            Err(reason) => bad.push(RowError { line, reason }),
        }
    }
    Ok(Parsed { good, bad })
}

/// One record, read by column.
pub struct Row<'a> {
    header: &'a [&'a str],
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    pub fn raw(&self, i: usize) -> &str {
        &self.record[i]
    }

    /// Free text, checked as everything a person types is.
    pub fn text(&self, i: usize, size: TextSize) -> Result<String, String> {
        clean_text(self.header[i], &self.record[i], size).map_err(|e| e.message)
    }

    /// One line of text that must be there.
    pub fn required(&self, i: usize) -> Result<String, String> {
        let v = self.text(i, TextSize::Line)?;
        if v.is_empty() {
            Err(format!("the {} is empty", self.header[i]))
        } else {
            Ok(v)
        }
    }

    pub fn name(&self, i: usize) -> &str {
        self.header[i]
    }
}

/// Refuses the file if any line is bad, all of them named in line order.
pub fn all_good(mut bad: Vec<RowError>) -> Result<(), ImportError> {
    if bad.is_empty() {
        return Ok(());
    }
    bad.sort_by_key(|e| e.line);
    Err(ImportError::BadRows(bad))
}

pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The audit entry of one import, written in the import's transaction.
pub async fn record_import<D: TransactionTrait + ConnectionTrait>(
    txn: &D,
    kind: &str,
    file: &str,
    by: &str,
    sha256: &str,
    summary: String,
) -> Result<(), DbErr> {
    let record = AuditRecord {
        chain: IMPORTS_CHAIN.to_string(),
        case_id: None,
        at: Utc::now(),
        actor_user_id: by.to_string(),
        actor_role: "operator".into(),
        from_state: String::new(),
        to_state: String::new(),
        command: format!("import:{kind}"),
        reasons: vec![format!("file {file}"), format!("sha256 {sha256}"), summary],
        snapshot_hash: None,
        state_hash: None,
    };
    audit::append_next(txn, &record).await
}

/// Each non-empty line of a JSON Lines file (one JSON object a line, for
/// records that nest), deserialized and then checked by `check`.
pub fn json_lines<R: serde::de::DeserializeOwned, T>(
    bytes: &[u8],
    mut check: impl FnMut(R) -> Result<T, String>,
) -> Parsed<T> {
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let line_no = i as u64 + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let parsed = serde_json::from_slice::<R>(line)
            .map_err(|e| format!("it is not a record of this file: {e}"))
            .and_then(&mut check);
        match parsed {
            Ok(t) => good.push((line_no, t)),
            Err(reason) => bad.push(RowError {
                line: line_no,
                reason,
            }),
        }
    }
    Parsed { good, bad }
}

/// Whether a file is JSON Lines rather than CSV, by its name.
pub fn is_json_lines(file: &std::path::Path) -> bool {
    matches!(
        file.extension().and_then(|e| e.to_str()),
        Some("jsonl" | "ndjson")
    )
}

/// A count of students: a whole number, not negative.
pub fn count(name: &str, raw: &str) -> Result<i32, String> {
    raw.parse::<i32>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| format!("the {name} `{raw}` is not a count of students"))
}

/// The year a school year ends in, as states number them (2025 for 2024–25).
pub fn school_year(raw: &str) -> Result<i32, String> {
    raw.parse::<i32>()
        .ok()
        .filter(|y| (1990..=2100).contains(y))
        .ok_or_else(|| format!("the school_year `{raw}` is not a year such as 2025 (for 2024–25)"))
}

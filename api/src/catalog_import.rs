//! `leeway import catalog FILE`: a state's own provision catalog, from a
//! CSV file with the header
//! `citation,title,category,waivable,non_waivable_reason,effective_from,effective_to`.
//!
//! Every row is checked before anything is written; one bad row refuses
//! the whole file, naming each bad line and why. A good file is applied in
//! one transaction, as upserts by citation (importing the same file twice
//! changes nothing), with an entry on the `imports` audit chain that
//! records the file's SHA-256. Provisions missing from the file are kept:
//! cases cite them.
use crate::import_file::{self, ImportError, RowError};
use crate::import_progress::Progress;
use chrono::NaiveDate;
use leeway_entities::provision;
use leeway_machines::engine::text::TextSize;
use sea_orm::{DatabaseConnection, EntityTrait, Set, TransactionTrait};
use std::collections::{BTreeMap, HashSet};

pub const HEADER: [&str; 7] = [
    "citation",
    "title",
    "category",
    "waivable",
    "non_waivable_reason",
    "effective_from",
    "effective_to",
];

/// One provision as the file states it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogEntry {
    pub citation: String,
    pub title: String,
    pub category: String,
    /// Why it may never be waived; `None` when it may be.
    pub non_waivable_reason: Option<String>,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
}

impl CatalogEntry {
    fn from_model(m: &provision::Model) -> Self {
        Self {
            citation: m.citation.clone(),
            title: m.title.clone(),
            category: m.category.clone(),
            non_waivable_reason: m.non_waivable_reason.clone(),
            effective_from: m.effective_from,
            effective_to: m.effective_to,
        }
    }

    fn active_model(&self) -> provision::ActiveModel {
        provision::ActiveModel {
            citation: Set(self.citation.clone()),
            title: Set(self.title.clone()),
            category: Set(self.category.clone()),
            waivable: Set(self.non_waivable_reason.is_none()),
            non_waivable_reason: Set(self.non_waivable_reason.clone()),
            effective_from: Set(self.effective_from),
            effective_to: Set(self.effective_to),
        }
    }
}

/// What importing a file would change.
#[derive(Debug)]
pub struct CatalogPlan {
    pub sha256: String,
    pub added: Vec<CatalogEntry>,
    pub changed: Vec<CatalogEntry>,
    pub unchanged: usize,
}

impl CatalogPlan {
    pub fn summary(&self) -> String {
        format!(
            "{} provision(s) to add, {} to change, {} unchanged (file SHA-256 {}).",
            self.added.len(),
            self.changed.len(),
            self.unchanged,
            self.sha256
        )
    }
}

/// Reads every row; all the bad ones are reported together.
pub fn parse(bytes: &[u8]) -> Result<Vec<CatalogEntry>, ImportError> {
    let import_file::Parsed {
        good: rows,
        mut bad,
    } = import_file::rows(bytes, &HEADER, entry)?;
    let mut seen = HashSet::new();
    let mut entries = Vec::new();
    for (line, e) in rows {
        if seen.insert(e.citation.clone()) {
            entries.push(e);
        } else {
            bad.push(RowError {
                line,
                reason: format!("{} appears earlier in the file", e.citation),
            });
        }
    }
    import_file::all_good(bad)?;
    Ok(entries)
}

fn entry(r: &import_file::Row<'_>) -> Result<CatalogEntry, String> {
    let date = |i: usize| -> Result<Option<NaiveDate>, String> {
        match r.raw(i) {
            "" => Ok(None),
            v => NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| format!("the {} `{v}` is not a date like 2025-08-13", r.name(i))),
        }
    };
    let citation = r.required(0)?;
    let title = r.required(1)?;
    let category = r.required(2)?;
    let reason = r.text(4, TextSize::Reason)?;
    let non_waivable_reason = match r.raw(3).to_ascii_lowercase().as_str() {
        "yes" | "true" if reason.is_empty() => None,
        "yes" | "true" => {
            return Err(format!(
                "{citation} is waivable, yet it gives a reason it may not be waived"
            ));
        }
        "no" | "false" if reason.is_empty() => {
            return Err(format!(
                "{citation} may not be waived, so the non_waivable_reason must say why"
            ));
        }
        "no" | "false" => Some(reason),
        other => return Err(format!("waivable must be yes or no, not `{other}`")),
    };
    let effective_from = date(5)?.ok_or_else(|| "the effective_from date is empty".to_string())?;
    let effective_to = date(6)?;
    if effective_to.is_some_and(|to| to < effective_from) {
        return Err(format!("{citation} ends before it takes effect"));
    }
    Ok(CatalogEntry {
        citation,
        title,
        category,
        non_waivable_reason,
        effective_from,
        effective_to,
    })
}

/// Compares the file with the catalog as it stands.
pub async fn plan(db: &DatabaseConnection, bytes: &[u8]) -> Result<CatalogPlan, ImportError> {
    let entries = parse(bytes)?;
    let current: BTreeMap<String, CatalogEntry> = provision::Entity::find()
        .all(db)
        .await?
        .iter()
        .map(|m| (m.citation.clone(), CatalogEntry::from_model(m)))
        .collect();
    let mut plan = CatalogPlan {
        sha256: import_file::sha256(bytes),
        added: Vec::new(),
        changed: Vec::new(),
        unchanged: 0,
    };
    for e in entries {
        match current.get(&e.citation) {
            None => plan.added.push(e),
            Some(now) if *now == e => plan.unchanged += 1,
            Some(_) => plan.changed.push(e),
        }
    }
    Ok(plan)
}

/// Writes a plan, and its audit entry, in one transaction. `file` and
/// `by` (who ran it) are recorded with the file's hash.
pub async fn apply(
    db: &DatabaseConnection,
    plan: &CatalogPlan,
    file: &str,
    by: &str,
    progress: &Progress,
) -> Result<(), ImportError> {
    let txn = db.begin().await?;
    for e in &plan.added {
        provision::Entity::insert(e.active_model())
            .exec(&txn)
            .await?;
        progress.step();
    }
    for e in &plan.changed {
        provision::Entity::update(e.active_model())
            .exec(&txn)
            .await?;
        progress.step();
    }
    import_file::record_import(&txn, "catalog", file, by, &plan.sha256, plan.summary()).await?;
    txn.commit().await?;
    progress.finish();
    Ok(())
}

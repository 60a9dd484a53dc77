//! `leeway import accountability FILE`: the state's accountability
//! results by school (or district) and school year, from a CSV file with
//! the header
//! `organisation_id,school_year,subject,performance_rating,mean_scale_score,median_growth`.
//!
//! The annual report compares an innovation's schools before and since
//! with them. Upserts by organisation, year and subject, all or nothing,
//! audited with the file's hash (see `import_file`).
use crate::import_file::{self, ImportError, RowError};
use crate::import_progress::Progress;
use leeway_entities::{accountability_result, organisation};
use leeway_machines::engine::text::TextSize;
use sea_orm::{DatabaseConnection, EntityTrait, Set, TransactionTrait};
use std::collections::{BTreeMap, HashSet};

pub const HEADER: [&str; 6] = [
    "organisation_id",
    "school_year",
    "subject",
    "performance_rating",
    "mean_scale_score",
    "median_growth",
];

/// One result as the file states it.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountabilityResult {
    pub organisation_id: String,
    pub school_year: i32,
    pub subject: String,
    pub performance_rating: Option<String>,
    pub mean_scale_score: Option<f64>,
    pub median_growth: Option<f64>,
}

type Key = (String, i32, String);

impl AccountabilityResult {
    fn key(&self) -> Key {
        (
            self.organisation_id.clone(),
            self.school_year,
            self.subject.clone(),
        )
    }

    fn from_model(m: accountability_result::Model) -> Self {
        Self {
            organisation_id: m.organisation_id,
            school_year: m.school_year,
            subject: m.subject,
            performance_rating: m.performance_rating,
            mean_scale_score: m.mean_scale_score,
            median_growth: m.median_growth,
        }
    }
}

/// What importing a file would change.
#[derive(Debug)]
pub struct AccountabilityPlan {
    pub sha256: String,
    pub added: Vec<AccountabilityResult>,
    pub changed: Vec<AccountabilityResult>,
    pub unchanged: usize,
}

impl AccountabilityPlan {
    pub fn summary(&self) -> String {
        format!(
            "{} result(s) to add, {} to change, {} unchanged (file SHA-256 {}).",
            self.added.len(),
            self.changed.len(),
            self.unchanged,
            self.sha256
        )
    }
}

fn measure(name: &str, raw: &str) -> Result<Option<f64>, String> {
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(Some)
        .ok_or_else(|| format!("the {name} `{raw}` is not a number"))
}

fn result(r: &import_file::Row<'_>) -> Result<AccountabilityResult, String> {
    let rating = r.text(3, TextSize::Line)?;
    let found = AccountabilityResult {
        organisation_id: r.required(0)?,
        school_year: import_file::school_year(r.raw(1))?,
        subject: r.required(2)?.to_ascii_lowercase(),
        performance_rating: (!rating.is_empty()).then_some(rating),
        mean_scale_score: measure(r.name(4), r.raw(4))?,
        median_growth: measure(r.name(5), r.raw(5))?,
    };
    if found.performance_rating.is_none()
        && found.mean_scale_score.is_none()
        && found.median_growth.is_none()
    {
        return Err("it gives no rating, scale score or growth".into());
    }
    Ok(found)
}

/// Checks the file against itself and the database, and compares it with
/// the results as they stand.
pub async fn plan(
    db: &DatabaseConnection,
    bytes: &[u8],
) -> Result<AccountabilityPlan, ImportError> {
    let import_file::Parsed { good, mut bad } = import_file::rows(bytes, &HEADER, result)?;
    let organisations: HashSet<String> = organisation::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    let mut seen = HashSet::new();
    let mut results = Vec::new();
    for (line, r) in good {
        let problem = if !organisations.contains(&r.organisation_id) {
            Some(format!(
                "there is no organisation `{}` (import organisations first)",
                r.organisation_id
            ))
        } else if !seen.insert(r.key()) {
            Some(format!(
                "{} {} {} appears earlier in the file",
                r.organisation_id, r.school_year, r.subject
            ))
        } else {
            None
        };
        match problem {
            Some(reason) => bad.push(RowError { line, reason }),
            None => results.push(r),
        }
    }
    import_file::all_good(bad)?;
    let current: BTreeMap<Key, AccountabilityResult> = accountability_result::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(AccountabilityResult::from_model)
        .map(|r| (r.key(), r))
        .collect();
    let mut plan = AccountabilityPlan {
        sha256: import_file::sha256(bytes),
        added: Vec::new(),
        changed: Vec::new(),
        unchanged: 0,
    };
    for r in results {
        match current.get(&r.key()) {
            None => plan.added.push(r),
            Some(c) if *c == r => plan.unchanged += 1,
            Some(_) => plan.changed.push(r),
        }
    }
    Ok(plan)
}

/// Writes a plan, and its audit entry, in one transaction.
pub async fn apply(
    db: &DatabaseConnection,
    plan: &AccountabilityPlan,
    file: &str,
    by: &str,
    progress: &Progress,
) -> Result<(), ImportError> {
    let model = |r: &AccountabilityResult| accountability_result::ActiveModel {
        organisation_id: Set(r.organisation_id.clone()),
        school_year: Set(r.school_year),
        subject: Set(r.subject.clone()),
        performance_rating: Set(r.performance_rating.clone()),
        mean_scale_score: Set(r.mean_scale_score),
        median_growth: Set(r.median_growth),
    };
    let txn = db.begin().await?;
    for r in &plan.added {
        accountability_result::Entity::insert(model(r))
            .exec(&txn)
            .await?;
        progress.step();
    }
    for r in &plan.changed {
        accountability_result::Entity::update(model(r))
            .exec(&txn)
            .await?;
        progress.step();
    }
    import_file::record_import(
        &txn,
        "accountability",
        file,
        by,
        &plan.sha256,
        plan.summary(),
    )
    .await?;
    txn.commit().await?;
    progress.finish();
    Ok(())
}

//! `leeway import organisations FILE`: a state's districts, charters and
//! schools, with their enrollment by school year, subgroup counts and the
//! flags grant equity priority uses.
//!
//! Two forms of the same records:
//! - CSV with the header
//!   `id,name,kind,parent_id,equity_flags,school_year,enrollment,students_in_poverty,subgroups`,
//!   one row per organisation and school year (an organisation with no
//!   enrollment yet has one row with an empty `school_year`); its rows must
//!   agree on name, kind, parent and flags. Flags are separated by `;`,
//!   subgroups written `english_learners=210; students_with_disabilities=530`.
//! - JSON Lines (`.jsonl`), one organisation a line, its years nested:
//!   `{"id":"…","name":"…","kind":"school","parent_id":"…","equity_flags":["rural"],
//!   "enrollment":[{"school_year":2025,"total":410,"students_in_poverty":260,
//!   "subgroups":{"english_learners":12}}]}`.
//!
//! Upserts by id (and by id and year for enrollment), all or nothing,
//! audited with the file's hash (see `import_file`). Organisations and
//! years the file does not list are kept: cases and reports cite them.
use crate::import_file::{self, ImportError, RowError};
use crate::import_progress::Progress;
use chrono::Utc;
use leeway_entities::{organisation, organisation_enrollment};
use leeway_machines::domain::organisation_kind::OrganisationKind;
use leeway_machines::engine::text::{TextSize, clean_text};
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

const HEADER: [&str; 9] = [
    "id",
    "name",
    "kind",
    "parent_id",
    "equity_flags",
    "school_year",
    "enrollment",
    "students_in_poverty",
    "subgroups",
];

/// One school year's students.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enrollment {
    pub total: i32,
    pub students_in_poverty: Option<i32>,
    pub subgroups: BTreeMap<String, i32>,
}

/// One organisation as the file states it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganisationRecord {
    pub id: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub parent_id: Option<String>,
    pub equity_flags: BTreeSet<String>,
    pub enrollment: BTreeMap<i32, Enrollment>,
}

/// What importing a file would change.
#[derive(Debug)]
pub struct OrganisationPlan {
    pub sha256: String,
    pub added: Vec<OrganisationRecord>,
    /// Organisations whose own fields or any listed year differ.
    pub changed: Vec<OrganisationRecord>,
    pub unchanged: usize,
}

impl OrganisationPlan {
    pub fn summary(&self) -> String {
        let years: usize = self
            .added
            .iter()
            .chain(&self.changed)
            .map(|o| o.enrollment.len())
            .sum();
        format!(
            "{} organisation(s) to add, {} to change ({years} school year(s) of enrollment written), {} unchanged (file SHA-256 {}).",
            self.added.len(),
            self.changed.len(),
            self.unchanged,
            self.sha256
        )
    }
}

/// A flag or subgroup name: lower case, digits and underscores, so that a
/// profile's threshold and a report's table can name it.
fn identifier(what: &str, raw: &str) -> Result<String, String> {
    let ok = !raw.is_empty()
        && raw.len() <= 64
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(raw.to_string())
    } else {
        Err(format!(
            "the {what} `{raw}` must be lower-case letters, digits and underscores (e.g. english_learners)"
        ))
    }
}

fn kind(raw: &str) -> Result<OrganisationKind, String> {
    OrganisationKind::parse(raw).ok_or_else(|| {
        let kinds: Vec<&str> = OrganisationKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("the kind `{raw}` is not one of {}", kinds.join(", "))
    })
}

fn check_year(year: i32, e: &Enrollment) -> Result<(), String> {
    if let Some(poor) = e.students_in_poverty.filter(|p| *p > e.total) {
        return Err(format!(
            "in {year}, {poor} students in poverty is more than the enrollment of {}",
            e.total
        ));
    }
    if let Some((name, n)) = e.subgroups.iter().find(|(_, n)| **n > e.total) {
        return Err(format!(
            "in {year}, the subgroup {name} ({n}) is larger than the enrollment of {}",
            e.total
        ));
    }
    Ok(())
}

/// `english_learners=210; students_with_disabilities=530`.
fn subgroups(raw: &str) -> Result<BTreeMap<String, i32>, String> {
    let mut out = BTreeMap::new();
    for part in raw.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, n) = part
            .split_once('=')
            .ok_or_else(|| format!("the subgroup `{part}` must be written name=count"))?;
        let name = identifier("subgroup", name.trim())?;
        let n = import_file::count(&format!("count of {name}"), n.trim())?;
        if out.insert(name.clone(), n).is_some() {
            return Err(format!("the subgroup {name} is given twice"));
        }
    }
    Ok(out)
}

fn flags<'a>(raw: impl Iterator<Item = &'a str>) -> Result<BTreeSet<String>, String> {
    raw.map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|f| identifier("equity flag", f))
        .collect()
}

fn csv_row(r: &import_file::Row<'_>) -> Result<OrganisationRecord, String> {
    let parent = r.text(3, TextSize::Line)?;
    let mut enrollment = BTreeMap::new();
    if !r.raw(5).is_empty() {
        let year = import_file::school_year(r.raw(5))?;
        let poverty = r.raw(7);
        let e = Enrollment {
            total: import_file::count(r.name(6), r.raw(6))?,
            students_in_poverty: (!poverty.is_empty())
                .then(|| import_file::count(r.name(7), poverty))
                .transpose()?,
            subgroups: subgroups(r.raw(8))?,
        };
        check_year(year, &e)?;
        enrollment.insert(year, e);
    } else if [6, 7, 8].iter().any(|i| !r.raw(*i).is_empty()) {
        return Err("enrollment is given without a school_year".into());
    }
    Ok(OrganisationRecord {
        id: r.required(0)?,
        name: r.required(1)?,
        kind: kind(r.raw(2))?,
        parent_id: (!parent.is_empty()).then_some(parent),
        equity_flags: flags(r.raw(4).split(';'))?,
        enrollment,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonOrganisation {
    id: String,
    name: String,
    kind: String,
    #[serde(default)]
    parent_id: Option<String>,
    #[serde(default)]
    equity_flags: Vec<String>,
    #[serde(default)]
    enrollment: Vec<JsonEnrollment>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonEnrollment {
    school_year: i32,
    total: i32,
    #[serde(default)]
    students_in_poverty: Option<i32>,
    #[serde(default)]
    subgroups: BTreeMap<String, i32>,
}

fn json_record(j: JsonOrganisation) -> Result<OrganisationRecord, String> {
    let line = |field: &str, v: &str| clean_text(field, v, TextSize::Line).map_err(|e| e.message);
    let id = line("id", &j.id)?;
    let name = line("name", &j.name)?;
    if id.is_empty() || name.is_empty() {
        return Err("the id and name must not be empty".into());
    }
    let parent_id = match j.parent_id.as_deref().map(|p| line("parent_id", p)) {
        Some(p) => Some(p?).filter(|p| !p.is_empty()),
        None => None,
    };
    let mut enrollment = BTreeMap::new();
    for y in j.enrollment {
        let year = import_file::school_year(&y.school_year.to_string())?;
        let count = |what: &str, n: i32| import_file::count(what, &n.to_string());
        let mut groups = BTreeMap::new();
        for (g, n) in y.subgroups {
            let g = identifier("subgroup", &g)?;
            let n = count(&format!("count of {g}"), n)?;
            groups.insert(g, n);
        }
        let e = Enrollment {
            total: count("enrollment", y.total)?,
            students_in_poverty: y
                .students_in_poverty
                .map(|n| count("students_in_poverty", n))
                .transpose()?,
            subgroups: groups,
        };
        check_year(year, &e)?;
        if enrollment.insert(year, e).is_some() {
            return Err(format!("the school year {year} is given twice"));
        }
    }
    Ok(OrganisationRecord {
        id,
        name,
        kind: kind(&j.kind)?,
        parent_id,
        equity_flags: flags(j.equity_flags.iter().map(String::as_str))?,
        enrollment,
    })
}

/// One record per organisation: CSV rows of the same id merged by year.
fn merge(
    rows: Vec<(u64, OrganisationRecord)>,
    one_line_each: bool,
    bad: &mut Vec<RowError>,
) -> Vec<(u64, OrganisationRecord)> {
    let mut merged: Vec<(u64, OrganisationRecord)> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for (line, r) in rows {
        let Some(&i) = at.get(&r.id) else {
            at.insert(r.id.clone(), merged.len());
            merged.push((line, r));
            continue;
        };
        let (first, earlier) = &mut merged[i];
        let problem = if one_line_each {
            Some(format!("{} appears earlier in the file", r.id))
        } else if (&r.name, r.kind, &r.parent_id, &r.equity_flags)
            != (
                &earlier.name,
                earlier.kind,
                &earlier.parent_id,
                &earlier.equity_flags,
            )
        {
            Some(format!(
                "its name, kind, parent or flags differ from {}'s row on line {first}",
                r.id
            ))
        } else {
            r.enrollment.iter().find_map(|(year, e)| {
                match earlier.enrollment.insert(*year, e.clone()) {
                    Some(_) => Some(format!("{}'s school year {year} appears earlier", r.id)),
                    None => None,
                }
            })
        };
        if let Some(reason) = problem {
            bad.push(RowError { line, reason });
        }
    }
    merged
}

/// Checks the file against itself and the database, and compares it with
/// the organisations as they stand.
pub async fn plan(
    db: &DatabaseConnection,
    file: &Path,
    bytes: &[u8],
) -> Result<OrganisationPlan, ImportError> {
    let json = import_file::is_json_lines(file);
    let import_file::Parsed { good, mut bad } = if json {
        import_file::json_lines(bytes, json_record)
    } else {
        import_file::rows(bytes, &HEADER, csv_row)?
    };
    let records = merge(good, json, &mut bad);
    let current: BTreeMap<String, organisation::Model> = organisation::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    let kind_of = |id: &str| -> Option<OrganisationKind> {
        records
            .iter()
            .find(|(_, r)| r.id == id)
            .map(|(_, r)| r.kind)
            .or_else(|| {
                current
                    .get(id)
                    .and_then(|o| OrganisationKind::parse(&o.kind))
            })
    };
    for (line, r) in &records {
        let problem = match (&r.parent_id, r.kind) {
            (None, OrganisationKind::School) => {
                Some(format!("the school {} needs its parent district", r.id))
            }
            (Some(p), OrganisationKind::School) => match kind_of(p) {
                Some(k) if k.is_lea() => None,
                Some(k) => Some(format!(
                    "the parent `{p}` is a {}, not a district or charter",
                    k.as_str()
                )),
                None => Some(format!("there is no organisation `{p}` to be the parent")),
            },
            (Some(p), k) => Some(format!(
                "a {} has no parent organisation, but `{p}` is given",
                k.as_str()
            )),
            (None, _) => None,
        };
        if let Some(reason) = problem {
            bad.push(RowError {
                line: *line,
                reason,
            });
        }
    }
    import_file::all_good(bad)?;
    let mut years: HashMap<String, BTreeMap<i32, Enrollment>> = HashMap::new();
    for e in organisation_enrollment::Entity::find().all(db).await? {
        let subgroups = serde_json::from_str(&e.subgroups).unwrap_or_default();
        years.entry(e.organisation_id).or_default().insert(
            e.school_year,
            Enrollment {
                total: e.total,
                students_in_poverty: e.students_in_poverty,
                subgroups,
            },
        );
    }
    let mut plan = OrganisationPlan {
        sha256: import_file::sha256(bytes),
        added: Vec::new(),
        changed: Vec::new(),
        unchanged: 0,
    };
    for (_, r) in records {
        let Some(o) = current.get(&r.id) else {
            plan.added.push(r);
            continue;
        };
        let stored_flags: BTreeSet<String> =
            serde_json::from_str(&o.equity_flags).unwrap_or_default();
        let stored_years = years.get(&r.id);
        let same = o.name == r.name
            && o.kind == r.kind.as_str()
            && o.parent_id == r.parent_id
            && stored_flags == r.equity_flags
            && r.enrollment
                .iter()
                .all(|(y, e)| stored_years.and_then(|s| s.get(y)) == Some(e));
        if same {
            plan.unchanged += 1;
        } else {
            plan.changed.push(r);
        }
    }
    Ok(plan)
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "{}".into())
}

async fn write_years<C: ConnectionTrait>(c: &C, r: &OrganisationRecord) -> Result<(), ImportError> {
    for (year, e) in &r.enrollment {
        organisation_enrollment::Entity::delete_many()
            .filter(organisation_enrollment::Column::OrganisationId.eq(r.id.as_str()))
            .filter(organisation_enrollment::Column::SchoolYear.eq(*year))
            .exec(c)
            .await?;
        organisation_enrollment::Entity::insert(organisation_enrollment::ActiveModel {
            organisation_id: Set(r.id.clone()),
            school_year: Set(*year),
            total: Set(e.total),
            students_in_poverty: Set(e.students_in_poverty),
            subgroups: Set(json(&e.subgroups)),
        })
        .exec(c)
        .await?;
    }
    Ok(())
}

/// The organisation's own columns carry its latest year, which is what
/// screens and earlier code read.
async fn latest<C: ConnectionTrait>(c: &C, id: &str) -> Result<(Option<i32>, String), ImportError> {
    let newest = organisation_enrollment::Entity::find()
        .filter(organisation_enrollment::Column::OrganisationId.eq(id))
        .order_by_desc(organisation_enrollment::Column::SchoolYear)
        .one(c)
        .await?;
    Ok(match newest {
        Some(e) => (Some(e.total), e.subgroups),
        None => (None, "{}".into()),
    })
}

/// Writes a plan, and its audit entry, in one transaction.
pub async fn apply(
    db: &DatabaseConnection,
    plan: &OrganisationPlan,
    file: &str,
    by: &str,
    progress: &Progress,
) -> Result<(), ImportError> {
    let now = Utc::now();
    let txn = db.begin().await?;
    // Parents first, so a school's district exists when it is written.
    let mut ordered: Vec<(&OrganisationRecord, bool)> = plan
        .added
        .iter()
        .map(|r| (r, true))
        .chain(plan.changed.iter().map(|r| (r, false)))
        .collect();
    ordered.sort_by_key(|(r, _)| r.kind == OrganisationKind::School);
    for (r, new) in ordered {
        write_years(&txn, r).await?;
        let (enrollment, subgroups) = latest(&txn, &r.id).await?;
        let model = organisation::ActiveModel {
            id: Set(r.id.clone()),
            name: Set(r.name.clone()),
            kind: Set(r.kind.as_str().to_string()),
            parent_id: Set(r.parent_id.clone()),
            enrollment: Set(enrollment),
            subgroups: Set(subgroups),
            created_at: if new { Set(now) } else { NotSet },
            equity_flags: Set(json(&r.equity_flags)),
        };
        if new {
            organisation::Entity::insert(model).exec(&txn).await?;
        } else {
            organisation::Entity::update(model).exec(&txn).await?;
        }
        progress.step();
    }
    import_file::record_import(
        &txn,
        "organisations",
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

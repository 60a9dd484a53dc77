//! `leeway import waiver-history FILE.jsonl`: waivers a state decided
//! before it ran Leeway, from its old records, so that the annual report's
//! past years and the policy audit count them. One waiver a line:
//!
//! ```json
//! {"district_id":"riverbend","kind":"district","school_ids":[],
//!  "title":"Competency-based progression","submitted_on":"2022-03-01",
//!  "decided_on":"2022-05-10","term_start":"2022-07-01","term_end":"2025-07-01",
//!  "ended":"expired","ended_on":"2025-07-01",
//!  "items":[{"citation":"DS 22-1-101","decision":"approved","goal":"…","measure":"…"}]}
//! ```
//!
//! Only closed cases are imported: denied, expired or revoked. A waiver
//! still in force needs its workflow to run out its term, so it is entered
//! as a request instead, and such a line is refused. Each imported case is
//! written as the engine would have left it (header, document, line items,
//! reach) with an audit chain whose entries say they were imported from
//! this file. All or nothing; a line imported before is left as it is.
use crate::import_file::{self, ImportError, RowError};
use crate::import_progress::Progress;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use leeway_entities::{
    case, case_document, organisation, provision, waiver_item, waiver_reach, waiver_request,
};
use leeway_machines::engine::document::store;
use leeway_machines::engine::text::{TextSize, clean_text};
use leeway_machines::waiver::content::{Applicant, ApplicantKind, ProvisionItem, WaiverContent};
use leeway_workflows::audit::{self, AuditRecord};
use leeway_workflows::engine::state_hash;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set, TransactionTrait,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    district_id: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    school_ids: Vec<String>,
    title: String,
    submitted_on: NaiveDate,
    decided_on: NaiveDate,
    #[serde(default)]
    term_start: Option<NaiveDate>,
    #[serde(default)]
    term_end: Option<NaiveDate>,
    #[serde(default)]
    ended: Option<String>,
    #[serde(default)]
    ended_on: Option<NaiveDate>,
    items: Vec<LineItem>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LineItem {
    citation: String,
    decision: String,
    #[serde(default)]
    goal: String,
    #[serde(default)]
    measure: String,
}

/// How a past waiver ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Denied,
    Expired,
    Revoked,
}

impl Ending {
    fn state(self) -> &'static str {
        match self {
            Ending::Denied => "denied",
            Ending::Expired => "expired",
            Ending::Revoked => "revoked",
        }
    }
}

/// One past waiver, checked.
#[derive(Clone, Debug)]
pub struct PastWaiver {
    pub case_id: String,
    pub district_id: String,
    pub kind: ApplicantKind,
    pub school_ids: Vec<String>,
    pub title: String,
    pub submitted_at: DateTime<Utc>,
    pub decided_at: DateTime<Utc>,
    pub term: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub ending: Ending,
    pub ended_at: DateTime<Utc>,
    /// Citation, decision, goal, measure.
    pub items: Vec<(String, String, String, String)>,
}

fn day(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
}

fn kind(raw: Option<&str>) -> Result<ApplicantKind, String> {
    match raw.unwrap_or("district") {
        "district" => Ok(ApplicantKind::District),
        "school" => Ok(ApplicantKind::School),
        "innovation_zone" => Ok(ApplicantKind::InnovationZone),
        other => Err(format!(
            "kind `{other}` is not one of district, school, innovation_zone"
        )),
    }
}

fn check(l: Line, today: DateTime<Utc>) -> Result<PastWaiver, String> {
    let title = clean_text("title", l.title.trim(), TextSize::Line).map_err(|r| r.message)?;
    if title.is_empty() {
        return Err("the title is empty".into());
    }
    let kind = kind(l.kind.as_deref())?;
    match (kind, l.school_ids.len()) {
        (ApplicantKind::School, 0) => return Err("a school waiver names its school".into()),
        (ApplicantKind::InnovationZone, 0 | 1) => {
            return Err("an innovation zone names at least two schools".into());
        }
        (ApplicantKind::District, n) if n > 0 => {
            return Err("a district-wide waiver names no schools".into());
        }
        _ => {}
    }
    if l.items.is_empty() {
        return Err("it waives no provision".into());
    }
    let mut items = Vec::new();
    for i in &l.items {
        if !["approved", "approved_with_conditions", "denied"].contains(&i.decision.as_str()) {
            return Err(format!(
                "the decision `{}` on {} is not approved, approved_with_conditions or denied",
                i.decision, i.citation
            ));
        }
        let text = |field: &str, v: &str| {
            clean_text(field, v.trim(), TextSize::Reason).map_err(|r| r.message)
        };
        items.push((
            text("citation", &i.citation)?,
            i.decision.clone(),
            text("goal", &i.goal)?,
            text("measure", &i.measure)?,
        ));
    }
    if l.decided_on < l.submitted_on {
        return Err("it was decided before it was submitted".into());
    }
    let approved = items.iter().any(|i| i.1 != "denied");
    let (submitted_at, decided_at) = (day(l.submitted_on), day(l.decided_on));
    let (term, ending, ended_at) = if !approved {
        if l.term_start.is_some() || l.ended.is_some() {
            return Err("a denied waiver has no term and no ending".into());
        }
        (None, Ending::Denied, decided_at)
    } else {
        let (Some(start), Some(end)) = (l.term_start, l.term_end) else {
            return Err("an approved waiver gives term_start and term_end".into());
        };
        if start < l.decided_on || end <= start {
            return Err(
                "the term must start on or after the decision and end after it starts".into(),
            );
        }
        let (ending, ended_on) = match (l.ended.as_deref(), l.ended_on) {
            (Some("expired"), on) => (Ending::Expired, on.unwrap_or(end)),
            (Some("revoked"), Some(on)) => (Ending::Revoked, on),
            (Some("revoked"), None) => return Err("a revoked waiver gives ended_on".into()),
            (None, _) => (Ending::Expired, end),
            (Some(other), _) => {
                return Err(format!("ended `{other}` is not expired or revoked"));
            }
        };
        if ended_on < start || ended_on > end {
            return Err("it ended outside its term".into());
        }
        if day(ended_on) > today {
            return Err(format!(
                "it is still in force on {}: enter a waiver in force as a request, so that Leeway runs out its term",
                today.format("%Y-%m-%d")
            ));
        }
        (Some((day(start), day(end))), ending, day(ended_on))
    };
    let key = format!("{}|{}|{}", l.district_id, title, l.submitted_on);
    let case_id = format!(
        "waiver-history-{}",
        &hex::encode(Sha256::digest(key.as_bytes()))[..12]
    );
    Ok(PastWaiver {
        case_id,
        district_id: l.district_id,
        kind,
        school_ids: l.school_ids,
        title,
        submitted_at,
        decided_at,
        term,
        ending,
        ended_at,
        items,
    })
}

/// What importing a file would add.
#[derive(Debug)]
pub struct HistoryPlan {
    pub sha256: String,
    pub added: Vec<PastWaiver>,
    pub unchanged: usize,
}

impl HistoryPlan {
    pub fn summary(&self) -> String {
        format!(
            "{} past waiver(s) to add, {} already imported (file SHA-256 {}).",
            self.added.len(),
            self.unchanged,
            self.sha256
        )
    }
}

/// Checks the file against itself and the state's organisations and
/// provision catalog.
pub async fn plan(db: &DatabaseConnection, bytes: &[u8]) -> Result<HistoryPlan, ImportError> {
    let today = Utc::now();
    let import_file::Parsed { good, mut bad } =
        import_file::json_lines(bytes, |l: Line| check(l, today));
    let orgs: HashMap<String, organisation::Model> = organisation::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    let citations: HashSet<String> = provision::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.citation)
        .collect();
    let mut seen = HashSet::new();
    let mut plan = HistoryPlan {
        sha256: import_file::sha256(bytes),
        added: Vec::new(),
        unchanged: 0,
    };
    for (line, w) in good {
        let district = orgs.get(&w.district_id);
        let problem = if !district.is_some_and(|d| d.kind == "district" || d.kind == "charter") {
            Some(format!(
                "there is no district or charter `{}` (import organisations first)",
                w.district_id
            ))
        } else if let Some(s) = w.school_ids.iter().find(|s| {
            orgs.get(*s).is_none_or(|o| {
                o.kind != "school" || o.parent_id.as_deref() != Some(&w.district_id)
            })
        }) {
            Some(format!("`{s}` is not a school of {}", w.district_id))
        } else if let Some(i) = w.items.iter().find(|i| !citations.contains(&i.0)) {
            Some(format!(
                "the provision `{}` is not in the catalog (import it first)",
                i.0
            ))
        } else if !seen.insert(w.case_id.clone()) {
            Some(
                "the same waiver (district, title, submitted_on) appears earlier in the file"
                    .into(),
            )
        } else {
            None
        };
        if let Some(reason) = problem {
            bad.push(RowError { line, reason });
            continue;
        }
        if case::Entity::find_by_id(w.case_id.as_str())
            .one(db)
            .await?
            .is_some()
        {
            plan.unchanged += 1;
        } else {
            plan.added.push(w);
        }
    }
    import_file::all_good(bad)?;
    Ok(plan)
}

fn content(w: &PastWaiver) -> WaiverContent {
    WaiverContent {
        title: w.title.clone(),
        applicant: Applicant {
            kind: w.kind,
            school_ids: w.school_ids.clone(),
        },
        items: w
            .items
            .iter()
            .map(|(citation, _, goal, measure)| ProvisionItem {
                citation: citation.clone(),
                rationale: "Imported from the state's records of waivers decided before Leeway."
                    .into(),
                replacement_practice: String::new(),
                goal: goal.clone(),
                measure: measure.clone(),
            })
            .collect(),
        ..Default::default()
    }
}

/// Where an import is from and by whom, as each case records it.
pub struct Provenance<'a> {
    pub file: &'a str,
    pub by: &'a str,
    /// The state profile the cases belong to.
    pub profile_code: &'a str,
}

async fn write<C: ConnectionTrait>(
    db: &C,
    w: &PastWaiver,
    from: &Provenance<'_>,
    sha256: &str,
) -> Result<(), ImportError> {
    let (file, by) = (from.file, from.by);
    let stored =
        store(&content(w)).map_err(|e| ImportError::Database(sea_orm::DbErr::Custom(e)))?;
    case_document::ActiveModel {
        case_id: Set(w.case_id.clone()),
        hash: Set(stored.reference.hash.clone()),
        body: Set(stored.body),
        bytes: Set(stored.reference.bytes as i32),
        created_at: Set(w.submitted_at),
    }
    .insert(db)
    .await?;
    let steps: Vec<(&str, &str, &str, DateTime<Utc>)> = {
        let mut s = vec![("submit", "draft", "submitted", w.submitted_at)];
        match w.ending {
            Ending::Denied => s.push(("decide", "submitted", "denied", w.decided_at)),
            Ending::Expired => {
                s.push(("decide", "submitted", "active", w.decided_at));
                s.push(("expire", "active", "expired", w.ended_at));
            }
            Ending::Revoked => {
                s.push(("decide", "submitted", "active", w.decided_at));
                s.push(("revoke", "active", "revoked", w.ended_at));
            }
        }
        s
    };
    case::ActiveModel {
        id: Set(w.case_id.clone()),
        program: Set("waiver".into()),
        organisation_id: Set(Some(w.district_id.clone())),
        state_profile: Set(from.profile_code.to_string()),
        title: Set(w.title.clone()),
        state: Set(w.ending.state().into()),
        version: Set(1),
        document_hash: Set(Some(stored.reference.hash.clone())),
        assigned_reviewer_id: Set(None),
        last_seq: Set(steps.len() as i32),
        opened_by: Set(by.to_string()),
        created_at: Set(w.submitted_at),
        updated_at: Set(w.ended_at),
    }
    .insert(db)
    .await?;
    waiver_request::ActiveModel {
        case_id: Set(w.case_id.clone()),
        escalated: Set(false),
        term_start: Set(w.term.map(|t| t.0)),
        term_end: Set(w.term.map(|t| t.1)),
        recommendation: Set(None),
        pending_amendment_hash: Set(None),
        applicant_kind: Set(Some(w.kind.as_str().into())),
    }
    .insert(db)
    .await?;
    for (i, (citation, decision, goal, measure)) in w.items.iter().enumerate() {
        waiver_item::ActiveModel {
            case_id: Set(w.case_id.clone()),
            position: Set(i as i32),
            citation: Set(citation.clone()),
            rationale: Set(String::new()),
            replacement_practice: Set(String::new()),
            goal: Set(goal.clone()),
            measure: Set(measure.clone()),
            decision: Set(Some(decision.clone())),
            conditions: Set(None),
            decision_reason: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    let reached = if w.school_ids.is_empty() {
        vec![w.district_id.clone()]
    } else {
        w.school_ids.clone()
    };
    for org in reached {
        waiver_reach::ActiveModel {
            case_id: Set(w.case_id.clone()),
            organisation_id: Set(org),
        }
        .insert(db)
        .await?;
    }
    let last = steps.len();
    for (n, (command, from, to, at)) in steps.into_iter().enumerate() {
        let record = AuditRecord {
            chain: w.case_id.clone(),
            case_id: Some(w.case_id.clone()),
            at,
            actor_user_id: by.to_string(),
            actor_role: "admin".into(),
            from_state: from.into(),
            to_state: to.into(),
            command: command.into(),
            reasons: vec![format!(
                "imported from {file} (SHA-256 {sha256}): the state's record of a step taken before Leeway"
            )],
            snapshot_hash: None,
            // The last entry vouches for the records as imported.
            state_hash: if n + 1 == last {
                Some(state_hash::of_case(db, &w.case_id).await?)
            } else {
                None
            },
        };
        audit::append_at(db, n as i32 + 1, &record).await?;
    }
    Ok(())
}

/// Writes a plan, and its audit entry, in one transaction.
pub async fn apply(
    db: &DatabaseConnection,
    plan: &HistoryPlan,
    from: &Provenance<'_>,
    progress: &Progress,
) -> Result<(), ImportError> {
    let txn = db.begin().await?;
    for w in &plan.added {
        write(&txn, w, from, &plan.sha256).await?;
        progress.step();
    }
    import_file::record_import(
        &txn,
        "waiver-history",
        from.file,
        from.by,
        &plan.sha256,
        plan.summary(),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(json: &str) -> Result<PastWaiver, String> {
        let today = day(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default());
        check(
            serde_json::from_str(json).map_err(|e| e.to_string())?,
            today,
        )
    }

    const EXPIRED: &str = r#"{"district_id":"riverbend","title":"Seat time","submitted_on":"2022-03-01","decided_on":"2022-05-10","term_start":"2022-07-01","term_end":"2025-07-01","items":[{"citation":"DS 22-1-101","decision":"approved"}]}"#;

    #[test]
    fn a_closed_waiver_is_read_and_one_in_force_is_refused() {
        let w = line(EXPIRED).unwrap();
        assert_eq!(w.ending, Ending::Expired);
        assert!(w.case_id.starts_with("waiver-history-"));
        assert_eq!(line(EXPIRED).unwrap().case_id, w.case_id, "ids are stable");
        let in_force = EXPIRED.replace("2025-07-01", "2027-07-01");
        assert!(line(&in_force).unwrap_err().contains("still in force"));
        let denied = r#"{"district_id":"riverbend","title":"X","submitted_on":"2022-03-01","decided_on":"2022-05-10","items":[{"citation":"DS 22-1-101","decision":"denied"}]}"#;
        assert_eq!(line(denied).unwrap().ending, Ending::Denied);
        let zone = EXPIRED.replace(
            r#""title""#,
            r#""kind":"innovation_zone","school_ids":["a"],"title""#,
        );
        assert!(line(&zone).unwrap_err().contains("at least two schools"));
        let early = EXPIRED.replace("2022-05-10", "2022-02-01");
        assert!(
            line(&early)
                .unwrap_err()
                .contains("before it was submitted")
        );
    }
}

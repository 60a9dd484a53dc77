//! The annual report's figures, compiled as SQL aggregates over the read
//! model and the audit trail: the database does the counting and sends
//! back one row per provision, program or cohort, so the compiler's memory
//! does not grow with the state's history. Dates come from the audit
//! trail (when a request was first submitted, decided, expired, revoked);
//! what was decided comes from each line item.
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement, Value};
use serde::{Deserialize, Serialize};

/// A reporting year's bounds: `[starts, ends)`.
#[derive(Clone, Copy, Debug)]
pub struct Period {
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
}

/// How one provision was used in the year, counted in line items (one per
/// provision a request asks to waive).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromQueryResult)]
pub struct ProvisionFigures {
    pub citation: String,
    /// In requests first submitted in the year.
    pub requested: i64,
    /// Approved (with or without conditions) by a decision in the year.
    pub approved: i64,
    /// Denied by a decision in the year.
    pub denied: i64,
    /// Approved, with a term overlapping the year, not ended before it.
    pub active: i64,
    /// Approved, in waivers that expired in the year.
    pub expired: i64,
    /// Approved, in waivers revoked in the year.
    pub revoked: i64,
}

/// One grant program's money, in cents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromQueryResult)]
pub struct GrantMoney {
    pub program: String,
    pub name: String,
    pub appropriated: i64,
    /// Awards accepted, and awards offered and not yet answered.
    pub awarded: i64,
    pub disbursed: i64,
    pub lapsed: i64,
}

/// One network cohort's members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromQueryResult)]
pub struct CohortFigures {
    pub network: String,
    pub cohort: String,
    pub members: i64,
}

/// One network's wait list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromQueryResult)]
pub struct WaitList {
    pub network: String,
    pub waiting: i64,
}

/// Innovation designations in force in the year, and those new in it (a
/// district counts as new in the year its first such waiver began).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromQueryResult)]
pub struct Designations {
    pub districts_total: i64,
    pub districts_new: i64,
    pub zones_total: i64,
    pub zones_new: i64,
    pub school_waivers_total: i64,
    pub school_waivers_new: i64,
}

/// The schools and students active waivers reach, and the state's
/// enrollment to set them against.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reach {
    pub schools: i64,
    pub students: i64,
    pub state_enrollment: i64,
    /// Students reached in each subgroup the state reports, by name.
    pub subgroups: std::collections::BTreeMap<String, i64>,
}

/// Accountability results of the organisations waivers reach, in the
/// school year before their first waiver began and in the reporting year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromQueryResult)]
pub struct Accountability {
    pub subject: String,
    /// Organisations with results in both years.
    pub organisations: i64,
    pub before_score: Option<f64>,
    pub since_score: Option<f64>,
    pub before_growth: Option<f64>,
    pub since_growth: Option<f64>,
}

/// The `?` placeholders of `sql` in the backend's own spelling.
pub fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 16);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    out.push_str(&format!("${n}"));
                } else {
                    out.push(c);
                }
            }
            out
        }
        _ => sql.to_string(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

const APPROVED: &str = "('approved', 'approved_with_conditions')";

/// The waivers active in the year, case by case: approved in at least one
/// item, with a term overlapping the year, not ended before it. Binds
/// `ends`, `starts`, `starts`. SQLite looks each case's ending up through
/// the audit trail's chain index; PostgreSQL hashes them (see
/// `waivers_by_provision`).
pub fn active_waivers(backend: DbBackend) -> String {
    let not_ended = match backend {
        DbBackend::Postgres => {
            "NOT EXISTS (SELECT 1 FROM (SELECT case_id, MIN(at) AS at FROM audit_entries
                WHERE to_state IN ('expired', 'revoked') AND from_state <> to_state
                GROUP BY case_id) e WHERE e.case_id = w.case_id AND e.at <= ?)"
        }
        _ => {
            "NOT EXISTS (SELECT 1 FROM audit_entries e
                WHERE e.chain = w.case_id AND e.to_state IN ('expired', 'revoked')
                  AND e.from_state <> e.to_state AND e.at <= ?)"
        }
    };
    format!(
        "SELECT w.case_id AS case_id, c.organisation_id AS district,
            COALESCE(w.applicant_kind, 'district') AS kind, w.term_start AS term_start
        FROM waiver_requests w
        JOIN cases c ON c.id = w.case_id AND c.program = 'waiver'
        WHERE w.term_start < ? AND (w.term_end IS NULL OR w.term_end > ?)
          AND {not_ended}
          AND EXISTS (SELECT 1 FROM waiver_items i
            WHERE i.case_id = w.case_id AND i.decision IN {APPROVED})"
    )
}

pub fn active_values(year: Period) -> Vec<Value> {
    vec![year.ends.into(), year.starts.into(), year.starts.into()]
}

/// Districts of innovation, innovation zones and school waivers: one query.
pub async fn designations<C: ConnectionTrait>(db: &C, year: Period) -> Result<Designations, DbErr> {
    let sql = format!(
        "WITH active AS ({active}),
         first_district AS (
            SELECT c.organisation_id AS district, MIN(w.term_start) AS first_start
            FROM waiver_requests w JOIN cases c ON c.id = w.case_id AND c.program = 'waiver'
            WHERE COALESCE(w.applicant_kind, 'district') = 'district' AND w.term_start IS NOT NULL
              AND EXISTS (SELECT 1 FROM waiver_items i
                WHERE i.case_id = w.case_id AND i.decision IN {APPROVED})
            GROUP BY c.organisation_id)
        SELECT
          (SELECT COUNT(DISTINCT district) FROM active WHERE kind = 'district') AS districts_total,
          (SELECT COUNT(*) FROM first_district f
            WHERE f.first_start >= ? AND f.first_start < ?
              AND f.district IN (SELECT district FROM active WHERE kind = 'district')) AS districts_new,
          (SELECT COUNT(*) FROM active WHERE kind = 'innovation_zone') AS zones_total,
          (SELECT COUNT(*) FROM active WHERE kind = 'innovation_zone' AND term_start >= ?) AS zones_new,
          (SELECT COUNT(*) FROM active WHERE kind = 'school') AS school_waivers_total,
          (SELECT COUNT(*) FROM active WHERE kind = 'school' AND term_start >= ?) AS school_waivers_new",
        active = active_waivers(db.get_database_backend())
    );
    let mut values = active_values(year);
    values.extend([
        year.starts.into(),
        year.ends.into(),
        year.starts.into(),
        year.starts.into(),
    ]);
    Ok(
        Designations::find_by_statement(statement(db.get_database_backend(), &sql, values))
            .one(db)
            .await?
            .unwrap_or_default(),
    )
}

#[derive(FromQueryResult)]
struct ReachedRow {
    enrollment: Option<i32>,
    subgroups: String,
}

#[derive(FromQueryResult)]
struct Count {
    n: Option<i64>,
}

/// Schools and students reached by the year's active waivers, with the
/// enrollment of that school year where the state's data has it (today's
/// otherwise). A school inside a district that a district-wide waiver
/// reaches is counted once, with its district.
pub async fn reach<C: ConnectionTrait>(db: &C, year: Period, ends_in: i32) -> Result<Reach, DbErr> {
    let backend = db.get_database_backend();
    let reached = format!(
        "SELECT DISTINCT r.organisation_id AS org FROM waiver_reach r
         JOIN ({}) a ON a.case_id = r.case_id",
        active_waivers(backend)
    );
    let mut out = Reach::default();
    // One row per organisation reached: bounded by the state's
    // organisations, however many years of history there are.
    let sql = format!(
        "WITH reached AS ({reached})
        SELECT COALESCE(e.total, o.enrollment) AS enrollment,
          COALESCE(e.subgroups, o.subgroups) AS subgroups
        FROM organisations o JOIN reached ON reached.org = o.id
        LEFT JOIN organisation_enrollments e ON e.organisation_id = o.id AND e.school_year = ?
        WHERE NOT (o.kind = 'school' AND o.parent_id IN (SELECT org FROM reached))"
    );
    let mut values = active_values(year);
    values.push(ends_in.into());
    let rows = ReachedRow::find_by_statement(statement(backend, &sql, values))
        .all(db)
        .await?;
    for row in rows {
        out.students += i64::from(row.enrollment.unwrap_or(0));
        let groups: std::collections::BTreeMap<String, i64> =
            serde_json::from_str(&row.subgroups).unwrap_or_default();
        for (name, n) in groups {
            *out.subgroups.entry(name).or_default() += n;
        }
    }
    let sql = format!(
        "WITH reached AS ({reached})
        SELECT COUNT(*) AS n FROM organisations s
        WHERE s.kind = 'school'
          AND (s.id IN (SELECT org FROM reached) OR s.parent_id IN (SELECT org FROM reached))"
    );
    out.schools = Count::find_by_statement(statement(backend, &sql, active_values(year)))
        .one(db)
        .await?
        .and_then(|c| c.n)
        .unwrap_or(0);
    let sql = "SELECT CAST(SUM(COALESCE(e.total, o.enrollment)) AS BIGINT) AS n
        FROM organisations o
        LEFT JOIN organisation_enrollments e ON e.organisation_id = o.id AND e.school_year = ?
        WHERE o.kind IN ('district', 'charter')";
    out.state_enrollment = Count::find_by_statement(statement(backend, sql, vec![ends_in.into()]))
        .one(db)
        .await?
        .and_then(|c| c.n)
        .unwrap_or(0);
    Ok(out)
}

/// Accountability results before and since, by subject: "before" is the
/// school year that ended in the calendar year an organisation's first
/// active waiver began, "since" the reporting year (`ends_in`).
pub async fn accountability<C: ConnectionTrait>(
    db: &C,
    year: Period,
    ends_in: i32,
) -> Result<Vec<Accountability>, DbErr> {
    let backend = db.get_database_backend();
    let year_of = match backend {
        DbBackend::Postgres => "CAST(EXTRACT(YEAR FROM MIN(a.term_start)) AS INTEGER)",
        _ => "CAST(strftime('%Y', MIN(a.term_start)) AS INTEGER)",
    };
    let sql = format!(
        "WITH started AS (
            SELECT r.organisation_id AS org, {year_of} AS started_in
            FROM waiver_reach r JOIN ({active}) a ON a.case_id = r.case_id
            GROUP BY r.organisation_id)
        SELECT b.subject AS subject, COUNT(*) AS organisations,
          AVG(b.mean_scale_score) AS before_score, AVG(n.mean_scale_score) AS since_score,
          AVG(b.median_growth) AS before_growth, AVG(n.median_growth) AS since_growth
        FROM started s
        JOIN accountability_results b ON b.organisation_id = s.org AND b.school_year = s.started_in
        JOIN accountability_results n ON n.organisation_id = s.org AND n.school_year = ?
          AND n.subject = b.subject
        WHERE s.started_in < ?
        GROUP BY b.subject
        ORDER BY b.subject",
        active = active_waivers(db.get_database_backend())
    );
    let mut values = active_values(year);
    values.extend([Value::from(ends_in), Value::from(ends_in)]);
    Accountability::find_by_statement(statement(backend, &sql, values))
        .all(db)
        .await
}

/// One value a district reported for a goal in an accepted progress
/// report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportedOutcome {
    pub district: String,
    pub citation: String,
    pub measure: String,
    pub group: String,
    pub students: u32,
    pub baseline: f64,
    pub current: f64,
}

#[derive(FromQueryResult)]
struct ProgressRow {
    detail: String,
    district: Option<String>,
}

/// What the year's reviewed progress reports say, goal by goal and group
/// by group: those accepted, or re-reviewed to a conclusion.
pub async fn reported_outcomes<C: ConnectionTrait>(
    db: &C,
    ends_in: i32,
) -> Result<Vec<ReportedOutcome>, DbErr> {
    use leeway_machines::report::progress::ProgressCase;
    let sql = "SELECT p.detail AS detail, o.name AS district
        FROM progress_reports p
        JOIN cases c ON c.id = p.case_id
        LEFT JOIN organisations o ON o.id = p.district_id
        WHERE p.year = ? AND c.state IN ('accepted', 'resolved', 'revoked')
        ORDER BY COALESCE(o.name, p.district_id), p.case_id";
    let rows = ProgressRow::find_by_statement(statement(
        db.get_database_backend(),
        sql,
        vec![ends_in.into()],
    ))
    .all(db)
    .await?;
    let mut out = Vec::new();
    for row in rows {
        let case: ProgressCase =
            serde_json::from_str(&row.detail).map_err(|e| DbErr::Json(e.to_string()))?;
        let district = row.district.unwrap_or_else(|| case.district_id.clone());
        for o in &case.outcomes {
            let measure = case
                .goals
                .iter()
                .find(|g| g.citation == o.citation)
                .map(|g| g.measure.clone())
                .unwrap_or_default();
            for v in &o.values {
                out.push(ReportedOutcome {
                    district: district.clone(),
                    citation: o.citation.clone(),
                    measure: measure.clone(),
                    group: v.group.clone(),
                    students: v.students,
                    baseline: v.baseline,
                    current: v.current,
                });
            }
        }
    }
    Ok(out)
}

/// Each network's wait list now.
pub async fn wait_lists<C: ConnectionTrait>(db: &C) -> Result<Vec<WaitList>, DbErr> {
    let sql = "SELECT m.network AS network, COUNT(*) AS waiting
        FROM network_memberships m JOIN cases c ON c.id = m.case_id
        WHERE c.state = 'wait_listed'
        GROUP BY m.network ORDER BY m.network";
    WaitList::find_by_statement(statement(db.get_database_backend(), sql, Vec::new()))
        .all(db)
        .await
}

/// Line items by provision for the year: one query, one row per provision.
pub async fn waivers_by_provision<C: ConnectionTrait>(
    db: &C,
    year: Period,
) -> Result<Vec<ProvisionFigures>, DbErr> {
    // The same figures two ways, each what its database does best: SQLite
    // looks each case's dates up through the audit trail's (chain, seq)
    // index, materialising nothing that grows with the history; PostgreSQL
    // hashes the grouped dates in its own work memory, which is much
    // faster there. Both are checked against an item-by-item count.
    let by_case = format!(
        "SELECT i.citation AS citation,
          SUM(CASE WHEN w.submitted >= ? AND w.submitted < ? THEN 1 ELSE 0 END) AS requested,
          SUM(CASE WHEN w.decided >= ? AND w.decided < ? AND i.decision IN {APPROVED} THEN 1 ELSE 0 END) AS approved,
          SUM(CASE WHEN w.decided >= ? AND w.decided < ? AND i.decision = 'denied' THEN 1 ELSE 0 END) AS denied,
          SUM(CASE WHEN i.decision IN {APPROVED} AND w.term_start < ?
                AND (w.term_end IS NULL OR w.term_end > ?) AND (w.ended IS NULL OR w.ended > ?)
              THEN 1 ELSE 0 END) AS active,
          SUM(CASE WHEN i.decision IN {APPROVED} AND w.how = 'expired' AND w.ended >= ? AND w.ended < ?
              THEN 1 ELSE 0 END) AS expired,
          SUM(CASE WHEN i.decision IN {APPROVED} AND w.how = 'revoked' AND w.ended >= ? AND w.ended < ?
              THEN 1 ELSE 0 END) AS revoked
        FROM (SELECT c.id AS case_id, r.term_start AS term_start, r.term_end AS term_end,
            (SELECT MIN(a.at) FROM audit_entries a WHERE a.chain = c.id AND a.command = 'submit') AS submitted,
            (SELECT MAX(a.at) FROM audit_entries a WHERE a.chain = c.id AND a.command = 'decide') AS decided,
            (SELECT MIN(a.at) FROM audit_entries a WHERE a.chain = c.id
               AND a.to_state IN ('expired', 'revoked') AND a.from_state <> a.to_state) AS ended,
            (SELECT MIN(a.to_state) FROM audit_entries a WHERE a.chain = c.id
               AND a.to_state IN ('expired', 'revoked') AND a.from_state <> a.to_state) AS how
          FROM cases c LEFT JOIN waiver_requests r ON r.case_id = c.id
          WHERE c.program = 'waiver') w
        JOIN waiver_items i ON i.case_id = w.case_id
        GROUP BY i.citation
        ORDER BY i.citation"
    );
    let set_based = format!(
        "WITH submitted AS (
            SELECT case_id, MIN(at) AS at FROM audit_entries WHERE command = 'submit' GROUP BY case_id),
         decided AS (
            SELECT case_id, MAX(at) AS at FROM audit_entries WHERE command = 'decide' GROUP BY case_id),
         ended AS (
            SELECT case_id, MIN(at) AS at, MIN(to_state) AS how FROM audit_entries
            WHERE to_state IN ('expired', 'revoked') AND from_state <> to_state GROUP BY case_id)
        SELECT i.citation AS citation,
          SUM(CASE WHEN s.at >= ? AND s.at < ? THEN 1 ELSE 0 END) AS requested,
          SUM(CASE WHEN d.at >= ? AND d.at < ? AND i.decision IN {APPROVED} THEN 1 ELSE 0 END) AS approved,
          SUM(CASE WHEN d.at >= ? AND d.at < ? AND i.decision = 'denied' THEN 1 ELSE 0 END) AS denied,
          SUM(CASE WHEN i.decision IN {APPROVED} AND w.term_start < ?
                AND (w.term_end IS NULL OR w.term_end > ?) AND (e.at IS NULL OR e.at > ?)
              THEN 1 ELSE 0 END) AS active,
          SUM(CASE WHEN i.decision IN {APPROVED} AND e.how = 'expired' AND e.at >= ? AND e.at < ?
              THEN 1 ELSE 0 END) AS expired,
          SUM(CASE WHEN i.decision IN {APPROVED} AND e.how = 'revoked' AND e.at >= ? AND e.at < ?
              THEN 1 ELSE 0 END) AS revoked
        FROM waiver_items i
        JOIN cases c ON c.id = i.case_id AND c.program = 'waiver'
        LEFT JOIN submitted s ON s.case_id = i.case_id
        LEFT JOIN decided d ON d.case_id = i.case_id
        LEFT JOIN ended e ON e.case_id = i.case_id
        LEFT JOIN waiver_requests w ON w.case_id = i.case_id
        GROUP BY i.citation
        ORDER BY i.citation"
    );
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => set_based,
        _ => by_case,
    };
    let (a, b) = (Value::from(year.starts), Value::from(year.ends));
    let values = vec![
        a.clone(),
        b.clone(),
        a.clone(),
        b.clone(),
        a.clone(),
        b.clone(),
        b.clone(),
        a.clone(),
        a.clone(),
        a.clone(),
        b.clone(),
        a,
        b,
    ];
    let rows =
        ProvisionFigures::find_by_statement(statement(db.get_database_backend(), &sql, values))
            .all(db)
            .await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.requested + r.approved + r.denied + r.active + r.expired + r.revoked > 0)
        .collect())
}

/// The provisions most waived in the year (by active line items), for the
/// policy audit: the law to reconsider first.
pub fn most_waived(figures: &[ProvisionFigures], how_many: usize) -> Vec<ProvisionFigures> {
    let mut by_use: Vec<ProvisionFigures> =
        figures.iter().filter(|f| f.active > 0).cloned().collect();
    by_use.sort_by(|a, b| b.active.cmp(&a.active).then(a.citation.cmp(&b.citation)));
    by_use.truncate(how_many);
    by_use
}

/// Every program's ledger, with what its awards hold.
pub async fn grant_money<C: ConnectionTrait>(db: &C) -> Result<Vec<GrantMoney>, DbErr> {
    let sql = "SELECT p.code AS program, p.name AS name, l.appropriated AS appropriated,
          CAST(COALESCE((SELECT SUM(g.awarded) FROM grant_cases g
                    JOIN cases c ON c.id = g.case_id
                    WHERE g.program = p.code AND c.state IN ('offered', 'active', 'closeout', 'closed_out')), 0)
            AS BIGINT) AS awarded,
          l.disbursed AS disbursed, l.lapsed AS lapsed
        FROM grant_programs p JOIN ledgers l ON l.id = p.ledger_id
        ORDER BY p.code";
    GrantMoney::find_by_statement(statement(db.get_database_backend(), sql, Vec::new()))
        .all(db)
        .await
}

/// Members of each network by the cohort they joined with.
pub async fn network_cohorts<C: ConnectionTrait>(db: &C) -> Result<Vec<CohortFigures>, DbErr> {
    let sql = "SELECT m.network AS network, COALESCE(m.cohort, '') AS cohort, COUNT(*) AS members
        FROM network_memberships m JOIN cases c ON c.id = m.case_id
        WHERE c.state IN ('planning', 'active', 'recommitment_overdue')
        GROUP BY m.network, m.cohort
        ORDER BY m.network, m.cohort";
    CohortFigures::find_by_statement(statement(db.get_database_backend(), sql, Vec::new()))
        .all(db)
        .await
}

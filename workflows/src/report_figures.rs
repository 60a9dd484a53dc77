//! The annual report's figures, compiled as SQL aggregates over the read
//! model and the audit trail: the database does the counting and sends
//! back one row per provision, program or cohort, so the compiler's memory
//! does not grow with the state's history. Dates come from the audit
//! trail (when a request was first submitted, decided, expired, revoked);
//! what was decided comes from each line item.
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement, Value};
use serde::Serialize;

/// A reporting year's bounds: `[starts, ends)`.
#[derive(Clone, Copy, Debug)]
pub struct Period {
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
}

/// How one provision was used in the year, counted in line items (one per
/// provision a request asks to waive).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, FromQueryResult)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, FromQueryResult)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, FromQueryResult)]
pub struct CohortFigures {
    pub network: String,
    pub cohort: String,
    pub members: i64,
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

/// Line items by provision for the year: one query, one row per provision.
pub async fn waivers_by_provision<C: ConnectionTrait>(
    db: &C,
    year: Period,
) -> Result<Vec<ProvisionFigures>, DbErr> {
    let sql = format!(
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

//! The audit trail and its verification, as GraphQL reads them.
use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use leeway_entities::audit_entry;
use leeway_workflows::audit::VerifyReport;

#[derive(SimpleObject, Clone)]
#[graphql(name = "AuditEntry")]
pub struct AuditEntryView {
    pub chain: String,
    pub seq: i32,
    pub case_id: Option<String>,
    pub at: DateTime<Utc>,
    pub actor_user_id: String,
    pub actor_role: String,
    pub from_state: String,
    pub to_state: String,
    pub command: String,
    pub reasons: Vec<String>,
    /// The reasons are the SEA's own (a reviewer's conflict statement, a
    /// recommendation not yet decided) and are not shown to your role.
    pub reasons_withheld: bool,
    /// Hash of the submitted snapshot this step froze, if any.
    pub snapshot_hash: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl From<audit_entry::Model> for AuditEntryView {
    fn from(e: audit_entry::Model) -> Self {
        Self {
            chain: e.chain,
            seq: e.seq,
            case_id: e.case_id,
            at: e.at,
            actor_user_id: e.actor_user_id,
            actor_role: e.actor_role,
            from_state: e.from_state,
            to_state: e.to_state,
            command: e.command,
            reasons: serde_json::from_str(&e.reasons).unwrap_or_default(),
            reasons_withheld: false,
            snapshot_hash: e.snapshot_hash,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct AuditVerification {
    pub intact: bool,
    pub chains: i32,
    pub entries: i32,
    pub problems: Vec<AuditProblem>,
}

#[derive(SimpleObject, Clone)]
pub struct AuditProblem {
    pub chain: String,
    pub seq: i32,
    pub problem: String,
}

impl From<VerifyReport> for AuditVerification {
    fn from(r: VerifyReport) -> Self {
        Self {
            intact: r.is_intact(),
            chains: r.chains as i32,
            entries: r.entries as i32,
            problems: r
                .problems
                .into_iter()
                .map(|p| AuditProblem {
                    chain: p.chain,
                    seq: p.seq,
                    problem: p.problem,
                })
                .collect(),
        }
    }
}

//! The audit trail and its verification, as GraphQL reads them.
use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use leeway_entities::audit_entry;
use leeway_workflows::audit::VerifyReport;

/// One entry of the tamper-evident audit trail: a step of a case, or an
/// attempt Leeway refused. Each entry's hash covers the one before it.
#[derive(SimpleObject, Clone)]
#[graphql(name = "AuditEntry")]
pub struct AuditEntryView {
    /// The chain the entry is on: the case's id for a case's steps, or
    /// `security` for refused attempts.
    pub chain: String,
    /// The entry's number on its chain, from 1; on a case's chain it is the
    /// step's number (see `lastStep` and `Notification.step`).
    pub seq: i32,
    /// The case the step or refused attempt concerned; null when it named
    /// none (a refused sign-in, a refused list).
    pub case_id: Option<String>,
    /// When the step happened or the attempt was refused (RFC 3339, UTC).
    pub at: DateTime<Utc>,
    /// Who acted: a person's user id, `system` for the workflow's own
    /// clocks, or `token:<prefix>` for a sign-in with an unknown token;
    /// `withheld` where the reasons are (see `reasonsWithheld`).
    pub actor_user_id: String,
    /// The role the actor acted in, e.g. `district_authorized_rep`,
    /// `sea_reviewer` or `system`; `anonymous` for a refused sign-in.
    pub actor_role: String,
    /// The case's state before the step, by its stable name (see
    /// `workflowDefinitions`); empty on the `security` chain.
    pub from_state: String,
    /// The case's state after the step, by its stable name; empty on the
    /// `security` chain.
    pub to_state: String,
    /// The command the step applied, as the machine names it (`open`,
    /// `submit`, `decide`…), or `refused:<action>` for a refused attempt.
    pub command: String,
    /// The reasons given with the step (why it was returned or denied, a
    /// summary, a conflict statement), or why an attempt was refused.
    /// Empty when withheld (see `reasonsWithheld`).
    pub reasons: Vec<String>,
    /// The reasons are the SEA's own (a reviewer's conflict statement, a
    /// recommendation not yet decided) and are not shown to your role.
    pub reasons_withheld: bool,
    /// Hash of the submitted snapshot this step froze, if any.
    pub snapshot_hash: Option<String>,
    /// SHA-256, in hex, of the entry before it on the chain; 64 zeros for
    /// a chain's first entry.
    pub prev_hash: String,
    /// SHA-256, in hex, of this entry's fields and `prevHash`: changing or
    /// removing an entry breaks the chain from there on.
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

/// What recomputing the whole audit trail found: each chain's links and
/// hashes, the register of chain heads, and the case records, snapshots
/// and stored forms the entries vouch for.
#[derive(SimpleObject, Clone)]
pub struct AuditVerification {
    /// True when no problem was found.
    pub intact: bool,
    /// How many chains hold entries: one per case, plus `security` (refused
    /// attempts) and `imports` (data imports) once they have any.
    pub chains: i32,
    /// How many audit entries were checked, across all chains.
    pub entries: i32,
    /// Every problem found; empty when the trail is intact.
    pub problems: Vec<AuditProblem>,
}

/// One sign of tampering or loss that verification found.
#[derive(SimpleObject, Clone)]
pub struct AuditProblem {
    /// Where it was found: a chain (a case's id, `security` or `imports`),
    /// or `tree-head:<size>` for a sealed head of the register of chains.
    pub chain: String,
    /// Where on that chain: an entry's number, a snapshot's version, or 0
    /// for a stored form; `problem` says which.
    pub seq: i32,
    /// What is wrong, in a sentence, e.g. "its contents no longer match
    /// its hash".
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

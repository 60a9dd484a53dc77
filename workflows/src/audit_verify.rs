//! `audit verify`: every way the audit trail and what it vouches for can
//! be tampered with, checked page by page, so memory stays flat however
//! many entries there are.
//! - Each chain: its entries numbered from 1, each linked to the one
//!   before and matching its own hash.
//! - Each case's records (what the API serves) match the state hash of its
//!   chain's last entry.
//! - The chains as a set: every entry is in the insert-only register of
//!   heads and every register row still has its entry, so a chain removed
//!   outright (entries, head, case and all) is caught; each sealed tree
//!   head still matches the register, so removing register rows too is
//!   caught, up to the last seal.
//! - Snapshots and documents: every snapshot an entry records exists, every
//!   snapshot is recorded, and every stored document matches its hash.
use crate::audit::GENESIS;
use crate::audit_tree::{TreeBuilder, register_leaf, tree_head_hash};
use crate::engine::state_hash;
use leeway_entities::{audit_entry, audit_head_log, audit_tree_head, case, case_document};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub chains: usize,
    pub entries: usize,
    /// Tree heads checked against the register.
    pub tree_heads: usize,
    /// Bytes of documents hashed.
    pub document_bytes: u64,
    pub problems: Vec<ChainProblem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainProblem {
    pub chain: String,
    pub seq: i32,
    pub problem: String,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, chain: &str, seq: i32, problem: impl Into<String>) {
        self.problems.push(ChainProblem {
            chain: chain.to_string(),
            seq,
            problem: problem.into(),
        });
    }
}

/// Cases whose state hashes are checked together.
const BATCH: usize = 200;
/// Rows read at a time: memory stays flat however many there are.
const PAGE: u64 = 2_000;

pub async fn verify(db: &DatabaseConnection) -> Result<VerifyReport, DbErr> {
    let mut report = VerifyReport::default();
    check_chains(db, &mut report).await?;
    check_set_of_chains(db, &mut report).await?;
    check_tree_heads(db, &mut report).await?;
    check_documents(db, &mut report).await?;
    Ok(report)
}

struct Walk {
    chain: String,
    expected: i32,
    prev_hash: String,
    broken: bool,
    last_state: Option<String>,
    last_seq: i32,
}

async fn check_chains(db: &DatabaseConnection, report: &mut VerifyReport) -> Result<(), DbErr> {
    let mut walk: Option<Walk> = None;
    let mut ended: Vec<(String, String, i32)> = Vec::new();
    let mut after: Option<(String, i32)> = None;
    loop {
        use audit_entry::Column as C;
        let mut page = audit_entry::Entity::find();
        if let Some((chain, seq)) = &after {
            page = page.filter(
                Condition::any().add(C::Chain.gt(chain.as_str())).add(
                    Condition::all()
                        .add(C::Chain.eq(chain.as_str()))
                        .add(C::Seq.gt(*seq)),
                ),
            );
        }
        let page = page
            .order_by_asc(C::Chain)
            .order_by_asc(C::Seq)
            .limit(PAGE)
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        after = Some((last.chain.clone(), last.seq));
        for e in page {
            report.entries += 1;
            if walk.as_ref().is_none_or(|w| w.chain != e.chain) {
                if let Some(w) = walk.take() {
                    end_chain(w, &mut ended);
                }
                report.chains += 1;
                walk = Some(Walk {
                    chain: e.chain.clone(),
                    expected: 1,
                    prev_hash: GENESIS.to_string(),
                    broken: false,
                    last_state: None,
                    last_seq: 0,
                });
                if ended.len() >= BATCH {
                    check_states(db, std::mem::take(&mut ended), report).await?;
                }
            }
            let Some(w) = walk.as_mut() else { continue };
            if w.broken {
                continue;
            }
            let problem = if e.seq != w.expected {
                Some(format!("entry {} is missing", w.expected))
            } else if e.prev_hash != w.prev_hash {
                Some("does not link to the entry before it".to_string())
            } else if crate::audit::entry_hash(&e) != e.hash {
                Some("its contents no longer match its hash".to_string())
            } else {
                None
            };
            match problem {
                Some(p) => {
                    report.problem(&e.chain, e.seq, p);
                    w.broken = true;
                }
                None => {
                    w.expected += 1;
                    w.prev_hash = e.hash.clone();
                    w.last_state = e.state_hash.clone();
                    w.last_seq = e.seq;
                }
            }
        }
    }
    if let Some(w) = walk.take() {
        end_chain(w, &mut ended);
    }
    check_states(db, ended, report).await
}

fn end_chain(w: Walk, ended: &mut Vec<(String, String, i32)>) {
    if let (false, Some(state)) = (w.broken, w.last_state) {
        ended.push((w.chain, state, w.last_seq));
    }
}

/// Each case's records against the state hash its last entry recorded.
async fn check_states(
    db: &DatabaseConnection,
    ended: Vec<(String, String, i32)>,
    report: &mut VerifyReport,
) -> Result<(), DbErr> {
    if ended.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = ended.iter().map(|(c, _, _)| c.clone()).collect();
    let cases = case::Entity::find()
        .filter(case::Column::Id.is_in(ids))
        .all(db)
        .await?;
    let hashes = state_hash::of_cases(db, &cases).await?;
    for (chain, recorded, walked) in ended {
        let seq = cases
            .iter()
            .find(|c| c.id == chain)
            .map_or(0, |c| c.last_seq);
        if seq > walked {
            // A step was recorded while verification ran; its entry was not
            // read. The next verification sees the two together.
            continue;
        }
        match hashes.get(&chain) {
            None => report.problem(
                &chain,
                0,
                "the case's header is missing, though its chain records it",
            ),
            Some(now) if *now != recorded => report.problem(
                &chain,
                seq,
                "the case's records (its state, term, items or header) were changed after its last audited step",
            ),
            Some(_) => {}
        }
    }
    Ok(())
}

/// Rows from a query answering `chain`, `seq` (and optionally `n`).
async fn rows(db: &DatabaseConnection, sql: &str) -> Result<Vec<(String, i64, i64)>, DbErr> {
    let backend = db.get_database_backend();
    let found = db
        .query_all_raw(Statement::from_string(backend, sql.to_string()))
        .await?;
    found
        .iter()
        .map(|r| {
            let chain: String = r.try_get("", "chain")?;
            let seq: i64 = r
                .try_get::<i64>("", "seq")
                .or_else(|_| r.try_get::<i32>("", "seq").map(i64::from))?;
            let n: i64 = r
                .try_get::<i64>("", "n")
                .or_else(|_| r.try_get::<i32>("", "n").map(i64::from))
                .unwrap_or(0);
            Ok((chain, seq, n))
        })
        .collect()
}

/// Each check: its query, and what a row of it means.
const SET_CHECKS: &[(&str, &str)] = &[
    (
        "SELECT l.chain AS chain, MAX(l.seq) AS seq, COUNT(*) AS n FROM audit_head_log l \
         LEFT JOIN audit_entries e ON e.chain = l.chain AND e.seq = l.seq AND e.hash = l.hash \
         WHERE e.id IS NULL GROUP BY l.chain",
        "removed",
    ),
    (
        "SELECT e.chain AS chain, MIN(e.seq) AS seq, COUNT(*) AS n FROM audit_entries e \
         LEFT JOIN audit_head_log l ON l.chain = e.chain AND l.seq = e.seq AND l.hash = e.hash \
         WHERE l.id IS NULL GROUP BY e.chain",
        "entry {seq} (and {n} in all) is not in the register of chain heads",
    ),
    (
        "SELECT h.chain AS chain, h.seq AS seq FROM audit_heads h \
         LEFT JOIN audit_entries e ON e.chain = h.chain AND e.seq = h.seq AND e.hash = h.hash \
         WHERE e.id IS NULL",
        "the chain should run to entry {seq}, whose recorded head it no longer reaches",
    ),
    (
        "SELECT e.chain AS chain, MAX(e.seq) AS seq FROM audit_entries e \
         LEFT JOIN audit_heads h ON h.chain = e.chain \
         WHERE h.chain IS NULL OR e.seq > h.seq GROUP BY e.chain",
        "the chain runs to entry {seq}, past its recorded head",
    ),
    (
        "SELECT c.id AS chain, c.last_seq AS seq FROM cases c \
         LEFT JOIN audit_heads h ON h.chain = c.id WHERE h.chain IS NULL OR h.seq < c.last_seq",
        "the case recorded {seq} steps but its chain does not reach them",
    ),
    (
        "SELECT e.chain AS chain, e.seq AS seq FROM audit_entries e \
         LEFT JOIN case_snapshots s ON s.case_id = e.chain AND s.document_hash = e.snapshot_hash \
         WHERE e.snapshot_hash IS NOT NULL AND s.case_id IS NULL",
        "the snapshot entry {seq} recorded is missing",
    ),
    (
        "SELECT s.case_id AS chain, s.version AS seq FROM case_snapshots s \
         LEFT JOIN audit_entries e ON e.chain = s.case_id AND e.snapshot_hash = s.document_hash \
         WHERE e.id IS NULL",
        "snapshot version {seq} is not recorded in the audit trail",
    ),
    (
        "SELECT s.case_id AS chain, s.version AS seq FROM case_snapshots s \
         LEFT JOIN case_documents d ON d.case_id = s.case_id AND d.hash = s.document_hash \
         WHERE d.case_id IS NULL",
        "the text of snapshot version {seq} is missing",
    ),
    (
        "SELECT c.id AS chain, c.last_seq AS seq FROM cases c \
         LEFT JOIN case_documents d ON d.case_id = c.id AND d.hash = c.document_hash \
         WHERE c.document_hash IS NOT NULL AND d.case_id IS NULL",
        "the case's current form is missing",
    ),
];

async fn check_set_of_chains(
    db: &DatabaseConnection,
    report: &mut VerifyReport,
) -> Result<(), DbErr> {
    for (sql, says) in SET_CHECKS {
        for (chain, seq, n) in rows(db, sql).await? {
            let problem = if *says == "removed" {
                let left = audit_entry::Entity::find()
                    .filter(audit_entry::Column::Chain.eq(chain.as_str()))
                    .select_only()
                    .column(audit_entry::Column::Id)
                    .into_tuple::<i64>()
                    .one(db)
                    .await?;
                match left {
                    None => format!(
                        "the whole chain is gone: the register of chain heads holds its entries 1 to {seq}"
                    ),
                    Some(_) => format!(
                        "{n} of its entries (up to {seq}) were removed or altered: the register of chain heads holds them otherwise"
                    ),
                }
            } else {
                says.replace("{seq}", &seq.to_string())
                    .replace("{n}", &n.to_string())
            };
            report.problem(&chain, i32::try_from(seq).unwrap_or(i32::MAX), problem);
        }
    }
    Ok(())
}

/// Reads the register once, checking each sealed tree head on the way.
async fn check_tree_heads(db: &DatabaseConnection, report: &mut VerifyReport) -> Result<(), DbErr> {
    let mut tree = TreeBuilder::default();
    let mut prev_hash = GENESIS.to_string();
    let mut log_after = 0i64;
    let mut heads_after = -1i64;
    loop {
        let heads = audit_tree_head::Entity::find()
            .filter(audit_tree_head::Column::TreeSize.gt(heads_after))
            .order_by_asc(audit_tree_head::Column::TreeSize)
            .limit(PAGE)
            .all(db)
            .await?;
        let Some(last) = heads.last() else { break };
        heads_after = last.tree_size;
        for head in heads {
            report.tree_heads += 1;
            // Every register row up to the head's last, into the tree.
            while log_after < head.last_log_id {
                let rows = audit_head_log::Entity::find()
                    .filter(audit_head_log::Column::Id.gt(log_after))
                    .filter(audit_head_log::Column::Id.lte(head.last_log_id))
                    .order_by_asc(audit_head_log::Column::Id)
                    .limit(PAGE)
                    .all(db)
                    .await?;
                let Some(r) = rows.last() else {
                    log_after = head.last_log_id;
                    break;
                };
                log_after = r.id;
                for r in rows {
                    tree.push(&register_leaf(&r.chain, r.seq, &r.hash));
                }
            }
            let label = format!("tree-head:{}", head.tree_size);
            let seq = i32::try_from(head.tree_size).unwrap_or(i32::MAX);
            if head.prev_hash != prev_hash
                || head.hash
                    != tree_head_hash(
                        &head.prev_hash,
                        head.tree_size,
                        head.last_log_id,
                        &head.root,
                    )
            {
                report.problem(
                    &label,
                    seq,
                    "the tree head does not link to the one before it, or no longer matches its hash",
                );
            } else if tree.size() != head.tree_size as u64 || hex::encode(tree.root()) != head.root
            {
                report.problem(
                    &label,
                    seq,
                    format!(
                        "the register of chain heads no longer matches this tree head: it holds {} rows up to row {} where the head sealed {}, or a row was changed",
                        tree.size(),
                        head.last_log_id,
                        head.tree_size
                    ),
                );
            }
            prev_hash = head.hash.clone();
        }
    }
    Ok(())
}

async fn check_documents(db: &DatabaseConnection, report: &mut VerifyReport) -> Result<(), DbErr> {
    use case_document::Column as C;
    let mut after: Option<(String, String)> = None;
    loop {
        let mut page = case_document::Entity::find();
        if let Some((case_id, hash)) = &after {
            page = page.filter(
                Condition::any().add(C::CaseId.gt(case_id.as_str())).add(
                    Condition::all()
                        .add(C::CaseId.eq(case_id.as_str()))
                        .add(C::Hash.gt(hash.as_str())),
                ),
            );
        }
        let page = page
            .order_by_asc(C::CaseId)
            .order_by_asc(C::Hash)
            .limit(PAGE / 10)
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        after = Some((last.case_id.clone(), last.hash.clone()));
        for d in page {
            report.document_bytes += d.body.len() as u64;
            if hex::encode(Sha256::digest(d.body.as_bytes())) != d.hash {
                report.problem(
                    &d.case_id,
                    0,
                    format!(
                        "the stored form {}… no longer matches its hash",
                        &d.hash[..12.min(d.hash.len())]
                    ),
                );
            }
        }
    }
    Ok(())
}

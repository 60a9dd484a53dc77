//! Compiles one reporting year's figures: every count the annual report
//! prints, each from one SQL aggregate (see `report_figures`), and the
//! audit trail's heads at that moment, which the report prints so that a
//! copy can later show whether the history it summarises was rewritten.
//! These are the raw counts, for SEA staff; what is published passes
//! through `report_build`, which withholds small student counts.
use crate::report_figures::{
    self, Accountability, CohortFigures, Designations, GrantMoney, Period, ProvisionFigures, Reach,
    ReportedOutcome, WaitList,
};
use chrono::{DateTime, Utc};
use leeway_entities::{audit_head, audit_tree_head};
use leeway_machines::report::rules::ReportingYear;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportFigures {
    /// The year the reporting year ends in.
    pub year: i32,
    pub label: String,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    pub compiled_at: DateTime<Utc>,
    pub provisions: Vec<ProvisionFigures>,
    pub designations: Designations,
    pub reach: Reach,
    pub cohorts: Vec<CohortFigures>,
    pub wait_lists: Vec<WaitList>,
    pub grants: Vec<GrantMoney>,
    pub accountability: Vec<Accountability>,
    /// What the districts' reviewed progress reports say.
    #[serde(default)]
    pub outcomes: Vec<ReportedOutcome>,
    pub audit: AuditAnchor,
}

/// The audit trail as it stood at compilation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditAnchor {
    /// How many hash chains (one per case, and the register's own).
    pub chains: i64,
    /// SHA-256 over every chain's head, in chain order, each written
    /// `chain seq hash\n`: anyone with an export of the audit trail can
    /// recompute it.
    pub heads_digest: String,
    /// The newest sealed tree head over the register of chain heads.
    pub tree_head: Option<TreeHead>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeHead {
    pub tree_size: i64,
    pub root: String,
    pub hash: String,
    pub at: DateTime<Utc>,
}

/// The digest of every chain head, read a page at a time.
pub async fn audit_anchor<C: ConnectionTrait>(db: &C) -> Result<AuditAnchor, DbErr> {
    let mut hasher = Sha256::new();
    let mut chains = 0;
    let mut after = String::new();
    loop {
        let page = audit_head::Entity::find()
            .filter(audit_head::Column::Chain.gt(after.as_str()))
            .order_by_asc(audit_head::Column::Chain)
            .limit(2_000)
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.chain.clone();
        for h in page {
            hasher.update(format!("{} {} {}\n", h.chain, h.seq, h.hash).as_bytes());
            chains += 1;
        }
    }
    let tree_head = audit_tree_head::Entity::find()
        .order_by_desc(audit_tree_head::Column::TreeSize)
        .one(db)
        .await?
        .map(|t| TreeHead {
            tree_size: t.tree_size,
            root: t.root,
            hash: t.hash,
            at: t.at,
        });
    Ok(AuditAnchor {
        chains,
        heads_digest: hex::encode(hasher.finalize()),
        tree_head,
    })
}

/// Every figure of the year.
pub async fn compile<C: ConnectionTrait>(
    db: &C,
    year: &ReportingYear,
    at: DateTime<Utc>,
) -> Result<ReportFigures, DbErr> {
    let period = Period {
        starts: year.starts,
        ends: year.ends,
    };
    Ok(ReportFigures {
        year: year.ends_in,
        label: year.label(),
        starts: year.starts,
        ends: year.ends,
        compiled_at: at,
        provisions: report_figures::waivers_by_provision(db, period).await?,
        designations: report_figures::designations(db, period).await?,
        reach: report_figures::reach(db, period, year.ends_in).await?,
        cohorts: report_figures::network_cohorts(db).await?,
        wait_lists: report_figures::wait_lists(db).await?,
        grants: report_figures::grant_money(db).await?,
        accountability: report_figures::accountability(db, period, year.ends_in).await?,
        outcomes: report_figures::reported_outcomes(db, year.ends_in).await?,
        audit: audit_anchor(db).await?,
    })
}

//! Sealing: a new tree head over the register of chain heads, chained to
//! the last. Run from time to time by the service (and by `leeway audit
//! seal`); verification recomputes every sealed head from the register.
use crate::audit::GENESIS;
use crate::audit_tree::{TreeBuilder, register_leaf, tree_head_hash};
use chrono::Utc;
use leeway_entities::{audit_head_log, audit_tree_head};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// Register rows younger than this are left to the next seal: a row whose
/// transaction has not committed yet may hold a lower id than one that has.
const SETTLE: chrono::Duration = chrono::Duration::seconds(30);

/// Seals the register up to its settled rows; `None` when nothing is new.
pub async fn seal(db: &DatabaseConnection) -> Result<Option<audit_tree_head::Model>, DbErr> {
    seal_before(db, Utc::now() - SETTLE).await
}

/// Seals every register row written before `settled`.
pub async fn seal_before(
    db: &DatabaseConnection,
    settled: chrono::DateTime<Utc>,
) -> Result<Option<audit_tree_head::Model>, DbErr> {
    let last = audit_tree_head::Entity::find()
        .order_by_desc(audit_tree_head::Column::TreeSize)
        .one(db)
        .await?;
    let Some(upto) = audit_head_log::Entity::find()
        .filter(audit_head_log::Column::At.lt(settled))
        .order_by_desc(audit_head_log::Column::Id)
        .one(db)
        .await?
        .map(|r| r.id)
    else {
        return Ok(None);
    };
    if last.as_ref().is_some_and(|l| l.last_log_id >= upto) {
        return Ok(None);
    }
    let mut tree = TreeBuilder::default();
    let mut after = 0i64;
    loop {
        let rows = audit_head_log::Entity::find()
            .filter(audit_head_log::Column::Id.gt(after))
            .filter(audit_head_log::Column::Id.lte(upto))
            .order_by_asc(audit_head_log::Column::Id)
            .limit(2_000)
            .all(db)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for r in rows {
            tree.push(&register_leaf(&r.chain, r.seq, &r.hash));
        }
    }
    let prev_hash = last.map_or_else(|| GENESIS.to_string(), |l| l.hash);
    let tree_size = tree.size() as i64;
    let root = hex::encode(tree.root());
    let head = audit_tree_head::ActiveModel {
        tree_size: Set(tree_size),
        last_log_id: Set(upto),
        hash: Set(tree_head_hash(&prev_hash, tree_size, upto, &root)),
        root: Set(root),
        prev_hash: Set(prev_hash),
        at: Set(Utc::now()),
    };
    // Two sealers at once: the second finds the size taken, and that is fine.
    match head.insert(db).await {
        Ok(h) => Ok(Some(h)),
        Err(_) => Ok(None),
    }
}

//! Sealing: a new tree head over the register of chain heads, chained to
//! the last. Run every minute by the service (and by `leeway audit seal`);
//! verification recomputes every sealed head from the register.
use crate::audit::GENESIS;
use crate::audit_tree::{TreeBuilder, register_leaf, tree_head_hash};
use chrono::Utc;
use leeway_entities::{audit_head_log, audit_tree_head};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, SqlErr, TransactionTrait,
};

/// The register's last row that no transaction still in flight can come
/// before. On PostgreSQL ids are handed out before commit, so a row with a
/// lower id may commit after one with a higher: a brief SHARE lock waits
/// for every insert under way. SQLite has one writer, so rows commit in
/// id order.
async fn settled_end(db: &DatabaseConnection) -> Result<Option<i64>, DbErr> {
    let txn = db.begin().await?;
    if db.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("LOCK TABLE audit_head_log IN SHARE MODE")
            .await?;
    }
    let end = audit_head_log::Entity::find()
        .select_only()
        .column(audit_head_log::Column::Id)
        .order_by_desc(audit_head_log::Column::Id)
        .into_tuple::<i64>()
        .one(&txn)
        .await?;
    txn.commit().await?;
    Ok(end)
}

/// Seals the register up to its settled end; `None` when nothing is new,
/// or another sealer got there first.
pub async fn seal(db: &DatabaseConnection) -> Result<Option<audit_tree_head::Model>, DbErr> {
    let last = audit_tree_head::Entity::find()
        .order_by_desc(audit_tree_head::Column::TreeSize)
        .one(db)
        .await?;
    let Some(upto) = settled_end(db).await? else {
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
    match head.insert(db).await {
        Ok(h) => Ok(Some(h)),
        // Another sealer chained its head to the same one first.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(None),
        Err(e) => Err(e),
    }
}

//! Batched reads of what a case holds, one DataLoader per request: a page
//! of a hundred cases asking for their history reads the audit table once,
//! not a hundred times, so one query cannot drain the connection pool.
use crate::error::ApiError;
use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use leeway_entities::{
    audit_entry, case_deadline, case_document, case_snapshot, notification, organisation,
    pool_queue_entry, user, waiver_item,
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, sea_query::IntoCondition,
};
use std::collections::HashMap;
use std::hash::Hash;

pub struct CaseRecords {
    db: DatabaseConnection,
}

impl CaseRecords {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// The request's loader; the HTTP layer puts one in every request.
pub fn records<'a>(ctx: &Context<'a>) -> Result<&'a DataLoader<CaseRecords>, ApiError> {
    ctx.data_opt::<DataLoader<CaseRecords>>()
        .ok_or_else(|| ApiError::internal("read the case", "no case loader in the request"))
}

/// One case's entries on its audit chain, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HistoryOf(pub String);
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NotificationsOf(pub String);
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DeadlinesOf(pub String);
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SnapshotsOf(pub String);
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ItemsOf(pub String);
/// A document of a case, by its hash.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DocumentOf(pub String, pub String);
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OrganisationOf(pub String);
/// The user ids of an organisation's people.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PeopleOf(pub String);
/// The case ids queued on a capacity pool, first to be offered first.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QueueOf(pub String);

/// Rows of `E` for many keys at once, grouped by the key each row belongs to.
async fn grouped<E, K>(
    db: &DatabaseConnection,
    keys: &[K],
    id: impl Fn(&K) -> &str,
    filter: impl FnOnce(Vec<String>) -> sea_orm::Condition,
    order: impl sea_orm::IntoSimpleExpr,
    key_of: impl Fn(&E::Model) -> K,
) -> Result<HashMap<K, Vec<E::Model>>, ApiError>
where
    E: EntityTrait,
    E::Model: Sync,
    K: Eq + Hash + Clone,
{
    let ids: Vec<String> = keys.iter().map(|k| id(k).to_string()).collect();
    let rows = E::find()
        .filter(filter(ids))
        .order_by_asc(order)
        .all(db)
        .await?;
    let mut out: HashMap<K, Vec<E::Model>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
    for row in rows {
        out.entry(key_of(&row)).or_default().push(row);
    }
    Ok(out)
}

impl Loader<HistoryOf> for CaseRecords {
    type Value = Vec<audit_entry::Model>;
    type Error = ApiError;
    async fn load(&self, keys: &[HistoryOf]) -> Result<HashMap<HistoryOf, Self::Value>, ApiError> {
        use audit_entry::Column as C;
        // Entries of one chain are ordered by seq; chains are apart anyway.
        grouped::<audit_entry::Entity, _>(
            &self.db,
            keys,
            |k| &k.0,
            |ids| C::Chain.is_in(ids).into_condition(),
            C::Seq,
            |r| HistoryOf(r.chain.clone()),
        )
        .await
    }
}

impl Loader<NotificationsOf> for CaseRecords {
    type Value = Vec<notification::Model>;
    type Error = ApiError;
    async fn load(
        &self,
        keys: &[NotificationsOf],
    ) -> Result<HashMap<NotificationsOf, Self::Value>, ApiError> {
        use notification::Column as C;
        grouped::<notification::Entity, _>(
            &self.db,
            keys,
            |k| &k.0,
            |ids| C::CaseId.is_in(ids).into_condition(),
            C::Id,
            |r| NotificationsOf(r.case_id.clone()),
        )
        .await
    }
}

impl Loader<DeadlinesOf> for CaseRecords {
    type Value = Vec<case_deadline::Model>;
    type Error = ApiError;
    async fn load(
        &self,
        keys: &[DeadlinesOf],
    ) -> Result<HashMap<DeadlinesOf, Self::Value>, ApiError> {
        use case_deadline::Column as C;
        grouped::<case_deadline::Entity, _>(
            &self.db,
            keys,
            |k| &k.0,
            |ids| C::CaseId.is_in(ids).into_condition(),
            C::DueAt,
            |r| DeadlinesOf(r.case_id.clone()),
        )
        .await
    }
}

impl Loader<SnapshotsOf> for CaseRecords {
    type Value = Vec<case_snapshot::Model>;
    type Error = ApiError;
    async fn load(
        &self,
        keys: &[SnapshotsOf],
    ) -> Result<HashMap<SnapshotsOf, Self::Value>, ApiError> {
        use case_snapshot::Column as C;
        grouped::<case_snapshot::Entity, _>(
            &self.db,
            keys,
            |k| &k.0,
            |ids| C::CaseId.is_in(ids).into_condition(),
            C::Version,
            |r| SnapshotsOf(r.case_id.clone()),
        )
        .await
    }
}

impl Loader<ItemsOf> for CaseRecords {
    type Value = Vec<waiver_item::Model>;
    type Error = ApiError;
    async fn load(&self, keys: &[ItemsOf]) -> Result<HashMap<ItemsOf, Self::Value>, ApiError> {
        use waiver_item::Column as C;
        grouped::<waiver_item::Entity, _>(
            &self.db,
            keys,
            |k| &k.0,
            |ids| C::CaseId.is_in(ids).into_condition(),
            C::Position,
            |r| ItemsOf(r.case_id.clone()),
        )
        .await
    }
}

impl Loader<QueueOf> for CaseRecords {
    type Value = Vec<pool_queue_entry::Model>;
    type Error = ApiError;
    async fn load(&self, keys: &[QueueOf]) -> Result<HashMap<QueueOf, Self::Value>, ApiError> {
        use pool_queue_entry::Column as C;
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = pool_queue_entry::Entity::find()
            .filter(C::PoolId.is_in(ids))
            .order_by_asc(C::Rank)
            .order_by_asc(C::Since)
            .order_by_asc(C::CaseId)
            .all(&self.db)
            .await?;
        let mut out: HashMap<QueueOf, Self::Value> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for row in rows {
            out.entry(QueueOf(row.pool_id.clone()))
                .or_default()
                .push(row);
        }
        Ok(out)
    }
}

impl Loader<DocumentOf> for CaseRecords {
    type Value = case_document::Model;
    type Error = ApiError;
    async fn load(
        &self,
        keys: &[DocumentOf],
    ) -> Result<HashMap<DocumentOf, Self::Value>, ApiError> {
        use case_document::Column as C;
        let cases: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let hashes: Vec<String> = keys.iter().map(|k| k.1.clone()).collect();
        let rows = case_document::Entity::find()
            .filter(C::CaseId.is_in(cases))
            .filter(C::Hash.is_in(hashes))
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|d| (DocumentOf(d.case_id.clone(), d.hash.clone()), d))
            .filter(|(k, _)| keys.contains(k))
            .collect())
    }
}

impl Loader<OrganisationOf> for CaseRecords {
    type Value = organisation::Model;
    type Error = ApiError;
    async fn load(
        &self,
        keys: &[OrganisationOf],
    ) -> Result<HashMap<OrganisationOf, Self::Value>, ApiError> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(ids))
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|o| (OrganisationOf(o.id.clone()), o))
            .collect())
    }
}

impl Loader<PeopleOf> for CaseRecords {
    type Value = Vec<String>;
    type Error = ApiError;
    async fn load(&self, keys: &[PeopleOf]) -> Result<HashMap<PeopleOf, Self::Value>, ApiError> {
        let orgs: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = user::Entity::find()
            .filter(user::Column::OrganisationId.is_in(orgs))
            .all(&self.db)
            .await?;
        let mut out: HashMap<PeopleOf, Self::Value> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for u in rows {
            out.entry(PeopleOf(u.organisation_id))
                .or_default()
                .push(u.id);
        }
        Ok(out)
    }
}

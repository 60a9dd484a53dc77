//! Idempotency keys: a mutation sent again with the same key (after a
//! dropped connection or a timeout) returns the first result and never
//! applies twice. Keys belong to one user and one mutation and are kept
//! at least 24 hours (a week, in fact).
use crate::auth::Principal;
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use chrono::Utc;
use leeway_entities::idempotency_key;
use leeway_entities::write_turn::in_turn;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::future::Future;

const KEPT: chrono::Duration = chrono::Duration::days(7);

fn hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    hex::encode(h.finalize())
}

/// A key a client chose, checked.
#[derive(Clone, Debug)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(key: Option<String>) -> ApiResult<Option<Self>> {
        let Some(key) = key else { return Ok(None) };
        if key.is_empty() || key.len() > 200 || !key.chars().all(|c| c.is_ascii_graphic()) {
            return Err(ApiError::Validation(
                "An idempotency key is 1 to 200 visible ASCII characters, such as a UUID.".into(),
            ));
        }
        Ok(Some(Self(key)))
    }
}

/// What a mutation's handler gets: ids derived from the key, the same on
/// every retry.
pub struct Attempt {
    seed: Option<String>,
}

impl Attempt {
    /// The Temporal update id: a retry attaches to the same update.
    pub fn update_id(&self, purpose: &str) -> Option<String> {
        self.seed
            .as_ref()
            .map(|s| format!("key-{}", &hash(&[s, purpose])[..40]))
    }

    /// A case id for a case this mutation opens: a retry opens the same one.
    pub fn case_id(&self, prefix: &str) -> String {
        match &self.seed {
            Some(s) => format!("{prefix}{}", &hash(&[s, "case"])[..10]),
            None => crate::case_service::new_case_id(prefix),
        }
    }
}

/// Forgets keys past their week. Run by `leeway serve`'s housekeeping,
/// not by each request: on a deadline day every keyed request would
/// otherwise add a write that scans the table.
pub async fn forget_expired(db: &DatabaseConnection) -> Result<u64, DbErr> {
    Ok(idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(Utc::now() - KEPT))
        .exec(db)
        .await?
        .rows_affected)
}

impl AppContext {
    /// Runs `run` at most once per key: a retry with the same key gets the
    /// first result; the same key with other arguments is refused.
    pub async fn idempotent<T, F, Fut>(
        &self,
        who: &Principal,
        mutation: &str,
        key: Option<String>,
        arguments: &impl Serialize,
        run: F,
    ) -> ApiResult<T>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce(Attempt) -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        let Some(IdempotencyKey(key)) = IdempotencyKey::parse(key)? else {
            return run(Attempt { seed: None }).await;
        };
        let request = hash(&[
            mutation,
            &serde_json::to_string(arguments).unwrap_or_default(),
        ]);
        let now = Utc::now();
        let keep = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
            user_id: Set(who.actor.user_id.clone()),
            mutation: Set(mutation.to_string()),
            key: Set(key.clone()),
            request_hash: Set(request.clone()),
            result: Set(None),
            created_at: Set(now),
            completed_at: Set(None),
        })
        .on_conflict_do_nothing()
        .exec(&self.db);
        in_turn(&self.db, keep).await?;
        let row = idempotency_key::Entity::find_by_id((
            who.actor.user_id.clone(),
            mutation.to_string(),
            key.clone(),
        ))
        .one(&self.db)
        .await?
        .ok_or_else(|| ApiError::internal("keep the idempotency key", "row vanished"))?;
        if row.request_hash != request {
            return Err(ApiError::Conflict(format!(
                "The idempotency key `{key}` was already used for a different {mutation}; use a new key for a new request."
            )));
        }
        if let Some(first) = row
            .result
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok())
        {
            return Ok(first);
        }
        // Not finished yet, or the first attempt's outcome is unknown: run
        // again with the same ids, which Temporal treats as the same update.
        let seed = hash(&[&who.actor.user_id, mutation, &key]);
        let result = match run(Attempt { seed: Some(seed) }).await {
            Ok(result) => result,
            Err(ApiError::Unavailable(m)) => return Err(ApiError::Unavailable(m)),
            Err(refused) => {
                // Refused: nothing was applied, so the key is free again.
                let free = idempotency_key::Entity::delete_many()
                    .filter(idempotency_key::Column::UserId.eq(who.actor.user_id.as_str()))
                    .filter(idempotency_key::Column::Mutation.eq(mutation))
                    .filter(idempotency_key::Column::Key.eq(key.as_str()))
                    .filter(idempotency_key::Column::Result.is_null())
                    .exec(&self.db);
                in_turn(&self.db, free).await?;
                return Err(refused);
            }
        };
        let remember = idempotency_key::Entity::update_many()
            .col_expr(
                idempotency_key::Column::Result,
                Expr::value(serde_json::to_string(&result).ok()),
            )
            .col_expr(
                idempotency_key::Column::CompletedAt,
                Expr::value(Utc::now()),
            )
            .filter(idempotency_key::Column::UserId.eq(who.actor.user_id.as_str()))
            .filter(idempotency_key::Column::Mutation.eq(mutation))
            .filter(idempotency_key::Column::Key.eq(key.as_str()))
            .exec(&self.db);
        in_turn(&self.db, remember).await?;
        Ok(result)
    }
}

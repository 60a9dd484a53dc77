//! Files a case's steps produce (a report's PDF, say), stored in the
//! step's transaction with their SHA-256. Emails attach them by name
//! (`Notice::attachments`) and downloads serve them byte for byte, so what
//! was certified, sent and published is provably one file.
use chrono::{DateTime, Utc};
use leeway_entities::case_artefact;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Stores one file under `name`; returns the SHA-256 of the file stored
/// under that name, which is the one already there if there is one (a
/// file, once stored, is never replaced).
pub async fn store<C: ConnectionTrait>(
    db: &C,
    case_id: &str,
    name: &str,
    content_type: &str,
    bytes: Vec<u8>,
    at: DateTime<Utc>,
) -> Result<String, DbErr> {
    let hash = sha256(&bytes);
    case_artefact::Entity::insert(case_artefact::ActiveModel {
        case_id: Set(case_id.to_string()),
        name: Set(name.to_string()),
        content_type: Set(content_type.to_string()),
        sha256: Set(hash.clone()),
        bytes: Set(bytes),
        created_at: Set(at),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(db)
    .await?;
    let stored = case_artefact::Entity::find_by_id((case_id.to_string(), name.to_string()))
        .one(db)
        .await?
        .map_or(hash, |f| f.sha256);
    Ok(stored)
}

/// A case's files, without their bytes: name, content type and SHA-256.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    case_id: &str,
    prefix: &str,
) -> Result<Vec<(String, String, String)>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    case_artefact::Entity::find()
        .select_only()
        .column(case_artefact::Column::Name)
        .column(case_artefact::Column::ContentType)
        .column(case_artefact::Column::Sha256)
        .filter(case_artefact::Column::CaseId.eq(case_id))
        .filter(case_artefact::Column::Name.starts_with(prefix))
        .order_by_asc(case_artefact::Column::Name)
        .into_tuple()
        .all(db)
        .await
}

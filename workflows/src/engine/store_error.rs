//! Which database errors are the data's fault (a constraint, an encoding,
//! a size: the step can never be recorded, so the command is refused) and
//! which are the moment's (a lost connection, a busy database, a
//! serialization conflict: retried until they pass).
use sea_orm::{DbErr, RuntimeErr, SqlxPostgresError, SqlxSqliteError};

/// True when retrying cannot help.
pub fn is_definitive(e: &DbErr) -> bool {
    match e {
        DbErr::Exec(RuntimeErr::SqlxError(err)) | DbErr::Query(RuntimeErr::SqlxError(err)) => {
            let Some(db) = err.as_database_error() else {
                // I/O, pool and protocol errors: the moment's.
                return false;
            };
            if let Some(pg) = db.try_downcast_ref::<SqlxPostgresError>() {
                // PostgreSQL SQLSTATE classes: data exceptions (22: an
                // invalid byte sequence among them), integrity constraints
                // (23), program limits (54: a row too big for an index),
                // unsupported features (0A) and syntax or access rules (42)
                // never pass; serialization failures and deadlocks (40),
                // resources (53), and the rest may.
                let code = pg.code();
                ["22", "23", "54", "0A", "42"]
                    .iter()
                    .any(|class| code.starts_with(class))
            } else if db.try_downcast_ref::<SqlxSqliteError>().is_some() {
                // SQLite primary result codes (the low byte of an extended
                // one): a value too big (18), a constraint (19), a type
                // mismatch (20), a bind out of range (25) never pass; busy
                // (5), locked (6) and I/O errors may.
                db.code()
                    .and_then(|c| c.parse::<i64>().ok())
                    .is_some_and(|n| matches!(n & 0xff, 18 | 19 | 20 | 25))
            } else {
                !matches!(db.kind(), sea_orm::sqlx::error::ErrorKind::Other)
            }
        }
        DbErr::RecordNotFound(_)
        | DbErr::Custom(_)
        | DbErr::Type(_)
        | DbErr::Json(_)
        | DbErr::AttrNotSet(_)
        | DbErr::TryIntoErr { .. } => true,
        _ => false,
    }
}

//! Which database errors are the data's fault (a constraint, an encoding,
//! a size: the step can never be recorded, so the command is refused) and
//! which are the moment's (a lost connection, a busy database, a
//! serialization conflict: retried until they pass).
use sea_orm::{DbErr, RuntimeErr};

/// True when retrying cannot help.
pub fn is_definitive(e: &DbErr) -> bool {
    match e {
        DbErr::Exec(RuntimeErr::SqlxError(err)) | DbErr::Query(RuntimeErr::SqlxError(err)) => {
            match err.as_database_error() {
                Some(db) => match db.code() {
                    // PostgreSQL: data exceptions (22xxx, an invalid byte
                    // sequence among them) and integrity constraints (23xxx)
                    // are the data's fault; serialization failures and
                    // deadlocks (40xxx) are the moment's.
                    Some(code) if code.starts_with("22") || code.starts_with("23") => true,
                    Some(code) if code.starts_with("40") || code.starts_with("53") => false,
                    // SQLite: busy (5) and locked (6), with their extended
                    // codes, pass; a constraint (19), a value too big (18)
                    // or a type mismatch (20) do not.
                    Some(code) => match code.parse::<i64>() {
                        Ok(n) => matches!(n & 0xff, 18 | 19 | 20 | 25),
                        Err(_) => false,
                    },
                    None => false,
                },
                None => false,
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

/// What went wrong, for the log.
pub fn describe(e: &DbErr) -> String {
    e.to_string()
}

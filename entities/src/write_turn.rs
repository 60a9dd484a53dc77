//! Turns for writing to SQLite within one process.
//!
//! SQLite lets one connection write at a time. The others wait in its busy
//! handler, which polls with sleeps of up to 100 ms, so under a surge the
//! lock often sits free while every waiter sleeps (a surge showed about
//! 390 sleeps a second in the process). Writers in this process queue
//! here instead, first come first served, and each goes as soon as the
//! one before it is done. SQLite's own wait is left for writers in other processes (a
//! separate `leeway worker`). PostgreSQL locks rows, so it needs no turns.
use sea_orm::{DatabaseConnection, DbBackend};
use tokio::sync::{Mutex, MutexGuard};

/// One queue for the whole process: the databases a process opens are
/// almost always one, and sharing a queue between two only costs speed.
static SQLITE_WRITERS: Mutex<()> = Mutex::const_new(());

/// This process's turn to write, held until dropped; `None` (no wait) on
/// PostgreSQL. Takes the pool, never a transaction: a turn is taken
/// before a transaction begins, and one taken again inside it would wait
/// for itself.
pub async fn write_turn(db: &DatabaseConnection) -> Option<MutexGuard<'static, ()>> {
    match db.get_database_backend() {
        DbBackend::Sqlite => Some(SQLITE_WRITERS.lock().await),
        _ => None,
    }
}

/// Runs one write (a statement, not yet started) in this process's turn.
pub async fn in_turn<T>(db: &DatabaseConnection, write: impl Future<Output = T>) -> T {
    let _turn = write_turn(db).await;
    write.await
}

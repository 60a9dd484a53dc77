//! Applies a step's effects inside its transaction: capacity pools and
//! appropriation ledgers by conditional updates, the pools' queues, and the
//! command outbox. A condition that does not hold refuses the whole step.
use chrono::{DateTime, Utc};
use leeway_entities::{capacity_pool, case_command, ledger, pool_queue_entry};
use leeway_machines::engine::effect::{Bucket, Effect, OutgoingCommand};
use leeway_machines::engine::refusal::Refusal;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    RuntimeErr, Set,
};

/// The step that applies the effects.
pub struct StepRef<'a> {
    pub case_id: &'a str,
    pub seq: i32,
    pub at: DateTime<Utc>,
}

/// Applies `effects` in order. `Ok(Err(_))`: a condition did not hold and
/// the caller must roll back. `Ok(Ok(n))`: `n` commands were queued.
pub async fn apply<C: ConnectionTrait>(
    db: &C,
    step: &StepRef<'_>,
    effects: &[Effect],
) -> Result<Result<usize, Refusal>, DbErr> {
    let mut queued = 0;
    for effect in effects {
        match effect {
            Effect::OpenPool {
                pool,
                label,
                capacity,
            } => {
                capacity_pool::Entity::insert(capacity_pool::ActiveModel {
                    id: Set(pool.clone()),
                    label: Set(label.clone()),
                    capacity: Set(*capacity),
                    committed: Set(0),
                    updated_at: Set(step.at),
                })
                .on_conflict_do_nothing()
                .exec(db)
                .await?;
            }
            Effect::SetCapacity { pool, capacity } => {
                let changed = capacity_pool::Entity::update_many()
                    .col_expr(capacity_pool::Column::Capacity, Expr::value(*capacity))
                    .col_expr(capacity_pool::Column::UpdatedAt, Expr::value(step.at))
                    .filter(capacity_pool::Column::Id.eq(pool.as_str()))
                    .exec(db)
                    .await?;
                if changed.rows_affected != 1 {
                    return Err(DbErr::RecordNotFound(format!("pool {pool}")));
                }
            }
            Effect::Reserve {
                pool,
                amount,
                refusal,
            } => {
                if !reserve(db, pool, *amount, step.at).await? {
                    return Ok(Err(refusal.clone()));
                }
            }
            Effect::Enqueue { pool, rank, since } => {
                pool_queue_entry::Entity::insert(pool_queue_entry::ActiveModel {
                    pool_id: Set(pool.clone()),
                    case_id: Set(step.case_id.to_string()),
                    rank: Set(*rank),
                    since: Set(*since),
                    enqueued_at: Set(step.at),
                })
                .on_conflict(
                    OnConflict::columns([
                        pool_queue_entry::Column::PoolId,
                        pool_queue_entry::Column::CaseId,
                    ])
                    .update_columns([
                        pool_queue_entry::Column::Rank,
                        pool_queue_entry::Column::Since,
                    ])
                    .to_owned(),
                )
                .exec(db)
                .await?;
            }
            Effect::LeaveQueue { pool, refusal } => {
                let left = pool_queue_entry::Entity::delete_many()
                    .filter(pool_queue_entry::Column::PoolId.eq(pool.as_str()))
                    .filter(pool_queue_entry::Column::CaseId.eq(step.case_id))
                    .exec(db)
                    .await?;
                if left.rows_affected != 1 {
                    return Ok(Err(refusal.clone()));
                }
            }
            Effect::PassOn {
                pool,
                amount,
                offer,
            } => {
                // Over a cap lowered since the seat was taken, the seat goes
                // back instead of on.
                let over = capacity_pool::Entity::find_by_id(pool.as_str())
                    .one(db)
                    .await?
                    .is_some_and(|p| p.capacity.is_some_and(|c| p.committed > c));
                match if over {
                    None
                } else {
                    take_next(db, pool).await?
                } {
                    Some(next) => send(db, step, &mut queued, &next, offer).await?,
                    None => release(db, pool, *amount, step.at).await?,
                }
            }
            Effect::FillFromQueue {
                pool,
                amount,
                offer,
            } => {
                // Seat by seat, each a conditional update, so that a
                // selection made at the same moment is never squeezed out
                // past the cap.
                for _ in 0..10_000 {
                    if !reserve(db, pool, *amount, step.at).await? {
                        break;
                    }
                    match take_next(db, pool).await? {
                        Some(next) => send(db, step, &mut queued, &next, offer).await?,
                        None => {
                            release(db, pool, *amount, step.at).await?;
                            break;
                        }
                    }
                }
            }
            Effect::Send { case_id, command } => {
                send(db, step, &mut queued, case_id, command).await?;
            }
            Effect::OpenLedger {
                ledger: id,
                label,
                appropriated,
            } => {
                ledger::Entity::insert(ledger::ActiveModel {
                    id: Set(id.clone()),
                    label: Set(label.clone()),
                    appropriated: Set(*appropriated),
                    available: Set(*appropriated),
                    committed: Set(0),
                    disbursed: Set(0),
                    lapsed: Set(0),
                    closed_at: Set(None),
                    updated_at: Set(step.at),
                })
                .on_conflict_do_nothing()
                .exec(db)
                .await?;
            }
            Effect::MoveMoney {
                ledger: id,
                amount,
                from,
                to,
                refusal,
            } => {
                if !move_money(db, id, *amount, *from, *to, step.at).await? {
                    return Ok(Err(ledger_refusal(db, id, refusal).await?));
                }
            }
            Effect::ReturnMoney { ledger: id, amount } => {
                // One conditional update decides where the money goes, so
                // a return racing the fiscal year's close cannot put money
                // back into a closed ledger's available.
                let open = Expr::col(ledger::Column::ClosedAt).is_null();
                let returned = ledger::Entity::update_many()
                    .col_expr(
                        ledger::Column::Committed,
                        Expr::col(ledger::Column::Committed).sub(*amount),
                    )
                    .col_expr(
                        ledger::Column::Available,
                        Expr::col(ledger::Column::Available)
                            .add(Expr::case(open.clone(), *amount).finally(0i64)),
                    )
                    .col_expr(
                        ledger::Column::Lapsed,
                        Expr::col(ledger::Column::Lapsed)
                            .add(Expr::case(open, 0i64).finally(*amount)),
                    )
                    .col_expr(ledger::Column::UpdatedAt, Expr::value(step.at))
                    .filter(ledger::Column::Id.eq(id.as_str()))
                    .filter(ledger::Column::Committed.gte(*amount))
                    .exec(db)
                    .await?;
                if returned.rows_affected != 1 {
                    // The case and the ledger would part: refuse the step,
                    // so that both stay as they were and someone looks.
                    tracing::error!(
                        ledger = id,
                        amount,
                        "returned more than the ledger held committed"
                    );
                    return Ok(Err(Refusal::conflict(format!(
                        "The appropriation's ledger holds less committed money than the {} this step returns; nothing was changed. Tell an administrator.",
                        leeway_machines::domain::money::Cents(*amount)
                    ))));
                }
            }
            Effect::CloseLedger { ledger: id } => {
                let closed = ledger::Entity::update_many()
                    .col_expr(
                        ledger::Column::Lapsed,
                        Expr::col(ledger::Column::Lapsed).add(Expr::col(ledger::Column::Available)),
                    )
                    .col_expr(ledger::Column::Available, Expr::value(0i64))
                    .col_expr(ledger::Column::ClosedAt, Expr::value(Some(step.at)))
                    .col_expr(ledger::Column::UpdatedAt, Expr::value(step.at))
                    .filter(ledger::Column::Id.eq(id.as_str()))
                    .exec(db)
                    .await?;
                if closed.rows_affected != 1 {
                    return Err(DbErr::RecordNotFound(format!("ledger {id}")));
                }
            }
        }
    }
    Ok(Ok(queued))
}

/// Takes `amount` if it fits under the capacity; false if it does not.
async fn reserve<C: ConnectionTrait>(
    db: &C,
    pool: &str,
    amount: i64,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let fits = Expr::col(capacity_pool::Column::Capacity)
        .is_null()
        .or(Expr::col(capacity_pool::Column::Committed)
            .add(amount)
            .lte(Expr::col(capacity_pool::Column::Capacity)));
    let taken = capacity_pool::Entity::update_many()
        .col_expr(
            capacity_pool::Column::Committed,
            Expr::col(capacity_pool::Column::Committed).add(amount),
        )
        .col_expr(capacity_pool::Column::UpdatedAt, Expr::value(at))
        .filter(capacity_pool::Column::Id.eq(pool))
        .filter(fits)
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

async fn release<C: ConnectionTrait>(
    db: &C,
    pool: &str,
    amount: i64,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let released = capacity_pool::Entity::update_many()
        .col_expr(
            capacity_pool::Column::Committed,
            Expr::col(capacity_pool::Column::Committed).sub(amount),
        )
        .col_expr(capacity_pool::Column::UpdatedAt, Expr::value(at))
        .filter(capacity_pool::Column::Id.eq(pool))
        .filter(capacity_pool::Column::Committed.gte(amount))
        .exec(db)
        .await?;
    if released.rows_affected != 1 {
        // Releasing what was never taken is a bug somewhere; refusing the
        // step (an exit, say) would only make it worse, so it is logged.
        tracing::error!(pool, amount, "released more than the pool held");
    }
    Ok(())
}

fn bucket_column(bucket: Bucket) -> ledger::Column {
    match bucket {
        Bucket::Available => ledger::Column::Available,
        Bucket::Committed => ledger::Column::Committed,
        Bucket::Disbursed => ledger::Column::Disbursed,
        Bucket::Lapsed => ledger::Column::Lapsed,
    }
}

/// Moves `amount` between two buckets in one conditional update; false
/// when `from` holds less. Concurrent moves queue on the row's lock (or
/// SQLite's one writer) and each sees the others' result.
async fn move_money<C: ConnectionTrait>(
    db: &C,
    id: &str,
    amount: i64,
    from: Bucket,
    to: Bucket,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    if amount < 0 || from == to {
        return Ok(false);
    }
    let (f, t) = (bucket_column(from), bucket_column(to));
    let moved = ledger::Entity::update_many()
        .col_expr(f, Expr::col(f).sub(amount))
        .col_expr(t, Expr::col(t).add(amount))
        .col_expr(ledger::Column::UpdatedAt, Expr::value(at))
        .filter(ledger::Column::Id.eq(id))
        .filter(Expr::col(f).gte(amount))
        .exec(db)
        .await?;
    Ok(moved.rows_affected == 1)
}

/// The refusal of a move that did not fit, with what the ledger holds.
async fn ledger_refusal<C: ConnectionTrait>(
    db: &C,
    id: &str,
    refusal: &Refusal,
) -> Result<Refusal, DbErr> {
    let Some(row) = ledger::Entity::find_by_id(id).one(db).await? else {
        return Ok(Refusal::conflict(format!(
            "The appropriation's ledger {id} is not open."
        )));
    };
    let dollars = |cents: i64| leeway_machines::domain::money::Cents(cents).to_string();
    let mut r = refusal.clone();
    r.message = r
        .message
        .replace("{available}", &dollars(row.available))
        .replace("{committed}", &dollars(row.committed));
    Ok(r)
}

/// Takes the first case off the pool's queue. Two steps taking at the same
/// moment cannot take the same case: only one delete succeeds.
async fn take_next<C: ConnectionTrait>(db: &C, pool: &str) -> Result<Option<String>, DbErr> {
    for _ in 0..50 {
        let first = pool_queue_entry::Entity::find()
            .filter(pool_queue_entry::Column::PoolId.eq(pool))
            .order_by_asc(pool_queue_entry::Column::Rank)
            .order_by_asc(pool_queue_entry::Column::Since)
            .order_by_asc(pool_queue_entry::Column::CaseId)
            .one(db)
            .await?;
        let Some(first) = first else {
            return Ok(None);
        };
        let taken = pool_queue_entry::Entity::delete_many()
            .filter(pool_queue_entry::Column::PoolId.eq(pool))
            .filter(pool_queue_entry::Column::CaseId.eq(first.case_id.as_str()))
            .exec(db)
            .await?;
        if taken.rows_affected == 1 {
            return Ok(Some(first.case_id));
        }
    }
    // Contention, not bad data: the step is retried.
    Err(DbErr::Exec(RuntimeErr::Internal(format!(
        "could not take the next case off the queue of {pool}"
    ))))
}

/// The update id of the `n`th command a step sends: the same every time
/// the step is recorded, so Temporal drops a redelivery.
pub fn update_id(case_id: &str, seq: i32, n: usize) -> String {
    format!("{case_id}#{seq}.{n}")
}

async fn send<C: ConnectionTrait>(
    db: &C,
    step: &StepRef<'_>,
    queued: &mut usize,
    to: &str,
    command: &OutgoingCommand,
) -> Result<(), DbErr> {
    case_command::ActiveModel {
        from_case: Set(step.case_id.to_string()),
        from_seq: Set(step.seq),
        to_case: Set(to.to_string()),
        program: Set(command.program.clone()),
        command: Set(command.command.to_string()),
        update_id: Set(update_id(step.case_id, step.seq, *queued)),
        status: Set("queued".into()),
        attempts: Set(0),
        last_error: Set(None),
        created_at: Set(step.at),
        delivered_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    *queued += 1;
    Ok(())
}

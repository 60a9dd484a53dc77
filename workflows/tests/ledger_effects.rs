//! An appropriation's ledger under any sequence of awards, declines,
//! claims, closeouts and the fiscal year's end, applied by the engine's
//! own effects on a real database (SQLite, or PostgreSQL when DATABASE_URL
//! names one): after every step, appropriated = available + committed +
//! disbursed + lapsed, no bucket is negative, and the ledger matches a
//! model kept beside it. Sequences come from a seeded generator, so a
//! failure names the seed that reproduces it.
#![allow(clippy::unwrap_used)]
use chrono::{TimeZone, Utc};
use leeway_entities::ledger;
use leeway_machines::engine::effect::{Bucket, Effect};
use leeway_machines::engine::refusal::Refusal;
use leeway_migrations::{Migrator, MigratorTrait};
use leeway_workflows::engine::effects::{StepRef, apply};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, TransactionTrait};

async fn database(dir: &std::path::Path, name: &str) -> DatabaseConnection {
    let url = match std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
    {
        Some(server) => {
            let admin = Database::connect(&server).await.unwrap();
            let db = format!("leeway_test_ledger_{name}_{}", std::process::id());
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {db}"))
                .await
                .unwrap();
            admin
                .execute_unprepared(&format!("CREATE DATABASE {db}"))
                .await
                .unwrap();
            let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
            format!("{base}/{db}")
        }
        None => format!("sqlite://{}?mode=rwc", dir.join("ledger.db").display()),
    };
    let db = leeway_entities::db::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    db
}

/// xorshift64*: small, seeded, good enough to pick operations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// What the ledger should hold, and each open award's unpaid balance.
#[derive(Debug, Default)]
struct Model {
    available: i64,
    committed: i64,
    disbursed: i64,
    lapsed: i64,
    closed: bool,
    awards: Vec<i64>,
}

/// Applies one step's effects in a transaction, as the record step does:
/// a refusal rolls everything back.
async fn step(db: &DatabaseConnection, seq: i32, effects: &[Effect]) -> bool {
    let txn = db.begin().await.unwrap();
    let at = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    let outcome = apply(
        &txn,
        &StepRef {
            case_id: "grant-prop",
            seq,
            at,
        },
        effects,
    )
    .await
    .unwrap();
    match outcome {
        Ok(_) => {
            txn.commit().await.unwrap();
            true
        }
        Err(_) => {
            txn.rollback().await.unwrap();
            false
        }
    }
}

fn refusal() -> Refusal {
    Refusal::conflict("Only {available} is uncommitted.")
}

#[tokio::test]
async fn any_sequence_keeps_the_ledger_balanced_and_never_negative() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), "sequences").await;
    let mut seq = 0;
    for seed in 1..=40u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let id = format!("appropriation-prop-{seed}");
        let appropriated = 1_000_000 + rng.below(9_000_000) as i64;
        seq += 1;
        assert!(
            step(
                &db,
                seq,
                &[Effect::OpenLedger {
                    ledger: id.clone(),
                    label: format!("seed {seed}"),
                    appropriated,
                }]
            )
            .await
        );
        let mut m = Model {
            available: appropriated,
            ..Model::default()
        };
        for _ in 0..40 {
            seq += 1;
            match rng.below(6) {
                // An award: fits only within what is available.
                0 | 1 => {
                    let amount = 1 + rng.below(appropriated as u64 / 3) as i64;
                    let ok = step(
                        &db,
                        seq,
                        &[Effect::MoveMoney {
                            ledger: id.clone(),
                            amount,
                            from: Bucket::Available,
                            to: Bucket::Committed,
                            refusal: refusal(),
                        }],
                    )
                    .await;
                    assert_eq!(
                        ok,
                        amount <= m.available,
                        "seed {seed}: award {amount} vs {m:?}"
                    );
                    if ok {
                        m.available -= amount;
                        m.committed += amount;
                        m.awards.push(amount);
                    }
                }
                // A paid claim against an award, within its balance.
                2 => {
                    if m.awards.is_empty() {
                        continue;
                    }
                    let i = rng.below(m.awards.len() as u64) as usize;
                    let amount = rng.below(m.awards[i] as u64 + 1) as i64;
                    let ok = step(
                        &db,
                        seq,
                        &[Effect::MoveMoney {
                            ledger: id.clone(),
                            amount,
                            from: Bucket::Committed,
                            to: Bucket::Disbursed,
                            refusal: refusal(),
                        }],
                    )
                    .await;
                    assert!(ok, "seed {seed}: a claim within its award was refused");
                    m.awards[i] -= amount;
                    m.committed -= amount;
                    m.disbursed += amount;
                }
                // A decline, an expiry or a closeout: what is unpaid of an
                // award goes back, to available or, once closed, to lapsed.
                3 | 4 => {
                    if m.awards.is_empty() {
                        continue;
                    }
                    let i = rng.below(m.awards.len() as u64) as usize;
                    let amount = m.awards.swap_remove(i);
                    assert!(
                        step(
                            &db,
                            seq,
                            &[Effect::ReturnMoney {
                                ledger: id.clone(),
                                amount
                            }]
                        )
                        .await
                    );
                    m.committed -= amount;
                    if m.closed {
                        m.lapsed += amount;
                    } else {
                        m.available += amount;
                    }
                }
                // The fiscal year ends (once; a second close lapses nothing
                // more, as nothing is available).
                _ => {
                    assert!(step(&db, seq, &[Effect::CloseLedger { ledger: id.clone() }]).await);
                    m.lapsed += m.available;
                    m.available = 0;
                    m.closed = true;
                }
            }
            let row = ledger::Entity::find_by_id(id.as_str())
                .one(&db)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                row.appropriated,
                row.available + row.committed + row.disbursed + row.lapsed,
                "seed {seed}: unbalanced {row:?}"
            );
            for v in [row.available, row.committed, row.disbursed, row.lapsed] {
                assert!(v >= 0, "seed {seed}: negative bucket {row:?}");
            }
            assert_eq!(
                (row.available, row.committed, row.disbursed, row.lapsed),
                (m.available, m.committed, m.disbursed, m.lapsed),
                "seed {seed}: the ledger and the model parted"
            );
        }
    }
}

#[tokio::test]
async fn the_database_itself_refuses_a_ledger_that_does_not_balance() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), "check").await;
    assert!(
        step(
            &db,
            1,
            &[Effect::OpenLedger {
                ledger: "appropriation-check".into(),
                label: "check".into(),
                appropriated: 1000,
            }]
        )
        .await
    );
    // A write that bypasses the effects and breaks the sum is refused.
    let broken = db
        .execute_unprepared(
            "UPDATE ledgers SET available = available + 1 WHERE id = 'appropriation-check'",
        )
        .await;
    assert!(broken.is_err(), "an unbalanced ledger was written");
    let negative = db
        .execute_unprepared(
            "UPDATE ledgers SET available = -1, lapsed = 1001 WHERE id = 'appropriation-check'",
        )
        .await;
    assert!(negative.is_err(), "a negative bucket was written");
    // And a move that does not fit is refused with what is available.
    let txn = db.begin().await.unwrap();
    let at = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    let refused = apply(
        &txn,
        &StepRef {
            case_id: "grant-check",
            seq: 2,
            at,
        },
        &[Effect::MoveMoney {
            ledger: "appropriation-check".into(),
            amount: 1001,
            from: Bucket::Available,
            to: Bucket::Committed,
            refusal: refusal(),
        }],
    )
    .await
    .unwrap()
    .unwrap_err();
    txn.rollback().await.unwrap();
    assert_eq!(refused.message, "Only $10.00 is uncommitted.");
}

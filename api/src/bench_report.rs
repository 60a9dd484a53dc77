//! `leeway bench-report`: how long compiling the annual report's figures
//! takes, and how much memory it needs, over a synthetic state (1,200
//! districts over 10 school years by default), next to a hand-written SQL
//! aggregate of the same figures measured in the same run. The two must
//! agree, so the benchmark checks the compiler too. Memory is the
//! process's peak resident size while compiling, over what it held before
//! (Linux: `VmHWM`, reset through `/proc/self/clear_refs`); it is measured
//! at a tenth of the size as well, to show it does not grow with the data.
use crate::bench_table::{Line, Sample, render};
use anyhow::Context;
use chrono::{DateTime, TimeZone, Utc};
use leeway_migrations::{Migrator, MigratorTrait};
use leeway_workflows::report_figures::{
    Period, ProvisionFigures, grant_money, most_waived, network_cohorts, statement,
    waivers_by_provision,
};
use leeway_workflows::report_synthetic::{generate, load};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Value};
use std::collections::BTreeMap;
use std::time::Instant;

/// The first school year the synthetic state's history starts in.
const FIRST_YEAR: i32 = 2016;

pub struct ReportBenchPlan {
    pub districts: usize,
    pub years: i32,
    pub runs: usize,
}

fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Resets the peak to now and answers the resident size now, in KiB.
fn reset_peak() -> Option<u64> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    status_kb("VmRSS:")
}

fn peak_since(base: Option<u64>) -> String {
    match (base, status_kb("VmHWM:")) {
        (Some(b), Some(p)) => format!("{:.1} MB", p.saturating_sub(b) as f64 / 1024.0),
        _ => "n/a".into(),
    }
}

async fn database(dir: &std::path::Path, name: &str) -> anyhow::Result<DatabaseConnection> {
    let url = match std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
    {
        Some(server) => {
            let admin = Database::connect(&server).await?;
            let db = format!("leeway_bench_report_{name}_{}", std::process::id());
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {db}"))
                .await?;
            admin
                .execute_unprepared(&format!("CREATE DATABASE {db}"))
                .await?;
            let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
            format!("{base}/{db}")
        }
        None => format!(
            "sqlite://{}?mode=rwc",
            dir.join(format!("{name}.db")).display()
        ),
    };
    let db = leeway_entities::db::connect(&url).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

fn period(ends_in: i32) -> Period {
    let at = |y| {
        Utc.with_ymd_and_hms(y, 7, 1, 0, 0, 0)
            .single()
            .unwrap_or_default()
    };
    Period {
        starts: at(ends_in - 1),
        ends: at(ends_in),
    }
}

/// Leeway's compile of one year: every figure the report takes from the
/// read model.
async fn compile(db: &DatabaseConnection, year: Period) -> anyhow::Result<Vec<ProvisionFigures>> {
    let provisions = waivers_by_provision(db, year).await?;
    let _ = most_waived(&provisions, 10);
    let _ = grant_money(db).await?;
    let _ = network_cohorts(db).await?;
    Ok(provisions)
}

/// The baseline: the same provision figures as six plain GROUP BY queries
/// a person would write by hand (one submission and one decision per
/// request, as the synthetic state has).
async fn hand_written(
    db: &DatabaseConnection,
    year: Period,
) -> anyhow::Result<Vec<ProvisionFigures>> {
    let approved = "('approved', 'approved_with_conditions')";
    let queries: [(&str, String, usize); 6] = [
        ("requested", "SELECT i.citation, COUNT(*) FROM waiver_items i JOIN audit_entries a ON a.case_id = i.case_id WHERE a.command = 'submit' AND a.at >= ? AND a.at < ? GROUP BY i.citation".into(), 2),
        ("approved", format!("SELECT i.citation, COUNT(*) FROM waiver_items i JOIN audit_entries a ON a.case_id = i.case_id WHERE a.command = 'decide' AND a.at >= ? AND a.at < ? AND i.decision IN {approved} GROUP BY i.citation"), 2),
        ("denied", "SELECT i.citation, COUNT(*) FROM waiver_items i JOIN audit_entries a ON a.case_id = i.case_id WHERE a.command = 'decide' AND a.at >= ? AND a.at < ? AND i.decision = 'denied' GROUP BY i.citation".into(), 2),
        ("active", format!("SELECT i.citation, COUNT(*) FROM waiver_items i JOIN waiver_requests w ON w.case_id = i.case_id LEFT JOIN (SELECT case_id, MIN(at) AS at FROM audit_entries WHERE to_state IN ('expired', 'revoked') GROUP BY case_id) e ON e.case_id = i.case_id WHERE i.decision IN {approved} AND w.term_start < ? AND w.term_end > ? AND (e.at IS NULL OR e.at > ?) GROUP BY i.citation"), 3),
        ("expired", format!("SELECT i.citation, COUNT(*) FROM waiver_items i JOIN audit_entries a ON a.case_id = i.case_id WHERE a.to_state = 'expired' AND a.command = 'expire' AND a.at >= ? AND a.at < ? AND i.decision IN {approved} GROUP BY i.citation"), 2),
        ("revoked", format!("SELECT i.citation, COUNT(*) FROM waiver_items i JOIN audit_entries a ON a.case_id = i.case_id WHERE a.to_state = 'revoked' AND a.command = 'revoke' AND a.at >= ? AND a.at < ? AND i.decision IN {approved} GROUP BY i.citation"), 2),
    ];
    let backend = db.get_database_backend();
    let mut by: BTreeMap<String, ProvisionFigures> = BTreeMap::new();
    for (figure, sql, arity) in queries {
        let values: Vec<Value> = match arity {
            2 => vec![year.starts.into(), year.ends.into()],
            _ => vec![year.ends.into(), year.starts.into(), year.starts.into()],
        };
        for row in db.query_all_raw(statement(backend, &sql, values)).await? {
            let citation: String = row.try_get_by_index(0)?;
            let n: i64 = row.try_get_by_index(1)?;
            let f = by
                .entry(citation.clone())
                .or_insert_with(|| ProvisionFigures {
                    citation,
                    ..Default::default()
                });
            match figure {
                "requested" => f.requested = n,
                "approved" => f.approved = n,
                "denied" => f.denied = n,
                "active" => f.active = n,
                "expired" => f.expired = n,
                _ => f.revoked = n,
            }
        }
    }
    Ok(by.into_values().collect())
}

struct Measured {
    leeway: Sample,
    baseline: Sample,
    leeway_peak: String,
    baseline_peak: String,
    items: usize,
    load_secs: f64,
}

async fn measure(
    dir: &std::path::Path,
    name: &str,
    districts: usize,
    plan: &ReportBenchPlan,
) -> anyhow::Result<Measured> {
    let db = database(dir, name).await?;
    let waivers = generate(districts, plan.years, FIRST_YEAR, 11);
    let items = waivers.iter().map(|w| w.items.len()).sum();
    let loading = Instant::now();
    load(&db, &waivers)
        .await
        .context("load the synthetic state")?;
    let load_secs = loading.elapsed().as_secs_f64();
    drop(waivers);
    let years: Vec<Period> = (1..=plan.years).map(|y| period(FIRST_YEAR + y)).collect();
    let mut leeway = Sample::new(format!("compile a year, {districts} districts (Leeway)"));
    let mut baseline = Sample::new(format!(
        "compile a year, {districts} districts (hand-written SQL)"
    ));
    // Warm both up once, and check they agree on every year.
    for year in &years {
        let ours = compile(&db, *year).await?;
        let theirs = hand_written(&db, *year).await?;
        anyhow::ensure!(
            ours == theirs,
            "Leeway's figures and the hand-written SQL's differ for the year from {}",
            year.starts
        );
    }
    let base = reset_peak();
    for _ in 0..plan.runs {
        for year in &years {
            let t = Instant::now();
            compile(&db, *year).await?;
            leeway.durations.push(t.elapsed());
        }
    }
    let leeway_peak = peak_since(base);
    let base = reset_peak();
    for _ in 0..plan.runs {
        for year in &years {
            let t = Instant::now();
            hand_written(&db, *year).await?;
            baseline.durations.push(t.elapsed());
        }
    }
    let baseline_peak = peak_since(base);
    db.close().await?;
    Ok(Measured {
        leeway,
        baseline,
        leeway_peak,
        baseline_peak,
        items,
        load_secs,
    })
}

pub async fn run(plan: ReportBenchPlan) -> anyhow::Result<String> {
    let dir = tempfile::tempdir()?;
    let backend = if std::env::var("DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let small = measure(dir.path(), "tenth", (plan.districts / 10).max(1), &plan).await?;
    let full = measure(dir.path(), "full", plan.districts, &plan).await?;
    let lines = vec![
        Line::latency(&full.baseline, None, ""),
        Line::latency(&full.leeway, Some(&full.baseline), "seconds at most"),
        Line::latency(&small.leeway, Some(&full.leeway), "(a tenth of the data)"),
    ];
    let started: DateTime<Utc> = Utc::now();
    Ok(format!(
        "Leeway bench-report on {backend}, {started}\n\
         synthetic state: {} districts x {} school years = {} line items ({} loaded in {:.1} s)\n{}\
         peak memory while compiling, over the resident size before:\n  \
         Leeway {} (hand-written SQL {}) at {} districts; Leeway {} at {} districts\n",
        plan.districts,
        plan.years,
        full.items,
        full.items + small.items,
        full.load_secs + small.load_secs,
        render(&lines),
        full.leeway_peak,
        full.baseline_peak,
        plan.districts,
        small.leeway_peak,
        (plan.districts / 10).max(1),
    ))
}

//! `leeway bench-report`: how long compiling the annual report takes, and
//! how much memory it needs, over a synthetic state (1,200 districts over
//! 10 school years by default), next to hand-written SQL of the same
//! figures measured in the same run. The two must agree, so the benchmark
//! checks the compiler too.
//!
//! Each method runs in a process of its own (this binary again, with
//! `--child`), so that one method's freed memory cannot hide the next
//! one's: the memory figure is the child's peak resident size (Linux
//! `VmHWM`) over its size once connected. It is measured at a tenth of the
//! size as well, to show it does not grow with the data.
use crate::bench_table::{Line, Sample, render};
use anyhow::Context;
use chrono::{DateTime, Utc};
use leeway_machines::domain::month_day::MonthDay;
use leeway_machines::report::machine::Narrative;
use leeway_machines::report::rules::{ReportRules, ReportingYear};
use leeway_migrations::{Migrator, MigratorTrait};
use leeway_workflows::report_build::{self, DraftLine};
use leeway_workflows::report_compile;
use leeway_workflows::report_figures::{Period, ProvisionFigures, statement};
use leeway_workflows::report_synthetic::{districts, generate, load, load_districts};
use sea_orm::{ConnectionTrait, Database, TransactionTrait, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The first school year the synthetic state's history starts in.
const FIRST_YEAR: i32 = 2016;

pub struct ReportBenchPlan {
    pub districts: usize,
    pub years: i32,
    pub runs: usize,
}

/// What a child process measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// The hand-written SQL.
    Hand,
    /// Leeway's compile: every figure of the report.
    Compile,
    /// What a draft step does: the compile, then the document with its
    /// suppression, the PDF, the CSV and the JSON.
    Draft,
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

/// The report rules the synthetic state runs under: school years from 1
/// July, as Colorado's.
fn rules() -> ReportRules {
    let day = |s| MonthDay::parse(s).unwrap_or(MonthDay { month: 7, day: 1 });
    ReportRules {
        name: "Annual report (benchmark)".into(),
        statute: "Synthetic Code 1-1".into(),
        year_starts: day("07-01"),
        compile_on: day("11-01"),
        due: day("03-01"),
        suppression_threshold: 10,
        suppress_zero: false,
        recipients: Vec::new(),
        schedule_every: None,
        progress: None,
    }
}

fn years(plan_years: i32) -> Vec<ReportingYear> {
    let r = rules();
    (1..=plan_years).map(|y| r.year(FIRST_YEAR + y)).collect()
}

fn period(y: &ReportingYear) -> Period {
    Period {
        starts: y.starts,
        ends: y.ends,
    }
}

async fn database(dir: &std::path::Path, name: &str) -> anyhow::Result<String> {
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
    db.close().await?;
    Ok(url)
}

/// The figures both methods give, to check that they agree.
#[derive(Debug, PartialEq)]
struct Shared {
    provisions: Vec<ProvisionFigures>,
    districts_of_innovation: i64,
    students: i64,
}

/// The baseline: the provision figures as six plain GROUP BY queries a
/// person would write by hand (one submission and one decision per
/// request, as the synthetic state has), and the districts of innovation
/// and students reached as two more.
async fn hand_written<C: ConnectionTrait>(db: &C, year: Period) -> anyhow::Result<Shared> {
    let approved = "('approved', 'approved_with_conditions')";
    let active = format!(
        "SELECT DISTINCT w.case_id FROM waiver_requests w JOIN waiver_items i ON i.case_id = w.case_id
         LEFT JOIN (SELECT case_id, MIN(at) AS at FROM audit_entries WHERE to_state IN ('expired', 'revoked') GROUP BY case_id) e ON e.case_id = w.case_id
         WHERE i.decision IN {approved} AND w.term_start < ? AND w.term_end > ? AND (e.at IS NULL OR e.at > ?)"
    );
    let queries: [(&str, String, usize); 6] = [
        ("requested", "SELECT i.citation, COUNT(*) FROM waiver_items i JOIN audit_entries a ON a.case_id = i.case_id WHERE a.command = 'submit' AND a.at >= ? AND a.at < ? GROUP BY i.citation".into(), 2),
        ("approved", format!("SELECT i.citation, COUNT(*) FROM waiver_items i JOIN audit_entries a ON a.case_id = i.case_id WHERE a.command = 'decide' AND a.at >= ? AND a.at < ? AND i.decision IN {approved} GROUP BY i.citation"), 2),
        ("denied", "SELECT i.citation, COUNT(*) FROM waiver_items i JOIN audit_entries a ON a.case_id = i.case_id WHERE a.command = 'decide' AND a.at >= ? AND a.at < ? AND i.decision = 'denied' GROUP BY i.citation".into(), 2),
        ("active", format!("SELECT i.citation, COUNT(*) FROM waiver_items i JOIN waiver_requests w ON w.case_id = i.case_id LEFT JOIN (SELECT case_id, MIN(at) AS at FROM audit_entries WHERE to_state IN ('expired', 'revoked') GROUP BY case_id) e ON e.case_id = i.case_id WHERE i.decision IN {approved} AND w.term_start < ? AND w.term_end > ? AND (e.at IS NULL OR e.at > ?) GROUP BY i.citation"), 3),
        ("expired", format!("SELECT i.citation, COUNT(*) FROM waiver_items i JOIN audit_entries a ON a.case_id = i.case_id WHERE a.to_state = 'expired' AND a.command = 'expire' AND a.at >= ? AND a.at < ? AND i.decision IN {approved} GROUP BY i.citation"), 2),
        ("revoked", format!("SELECT i.citation, COUNT(*) FROM waiver_items i JOIN audit_entries a ON a.case_id = i.case_id WHERE a.to_state = 'revoked' AND a.command = 'revoke' AND a.at >= ? AND a.at < ? AND i.decision IN {approved} GROUP BY i.citation"), 2),
    ];
    let backend = db.get_database_backend();
    let two = || -> Vec<Value> { vec![year.starts.into(), year.ends.into()] };
    let three = || -> Vec<Value> { vec![year.ends.into(), year.starts.into(), year.starts.into()] };
    let mut by: BTreeMap<String, ProvisionFigures> = BTreeMap::new();
    for (figure, sql, arity) in queries {
        let values = if arity == 2 { two() } else { three() };
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
    let districts_sql =
        format!("SELECT COUNT(DISTINCT c.organisation_id) FROM cases c WHERE c.id IN ({active})");
    let students_sql = format!(
        "SELECT CAST(COALESCE(SUM(o.enrollment), 0) AS BIGINT) FROM organisations o
         WHERE o.id IN (SELECT c.organisation_id FROM cases c WHERE c.id IN ({active}))"
    );
    let one = |sql: String| async move {
        let row = db
            .query_one_raw(statement(backend, &sql, three()))
            .await?
            .context("no row")?;
        anyhow::Ok(row.try_get_by_index::<i64>(0)?)
    };
    Ok(Shared {
        provisions: by
            .into_values()
            .filter(|f| f.requested + f.approved + f.denied + f.active + f.expired + f.revoked > 0)
            .collect(),
        districts_of_innovation: one(districts_sql).await?,
        students: one(students_sql).await?,
    })
}

async fn leeway<C: ConnectionTrait>(db: &C, year: &ReportingYear) -> anyhow::Result<Shared> {
    let f = report_compile::compile(db, year, Utc::now()).await?;
    Ok(Shared {
        provisions: f.provisions,
        districts_of_innovation: f.designations.districts_total,
        students: f.reach.students,
    })
}

/// One draft as the record step makes it, without storing it.
async fn draft<C: ConnectionTrait>(db: &C, year: &ReportingYear) -> anyhow::Result<usize> {
    let at = Utc::now();
    let figures = report_compile::compile(db, year, at).await?;
    let doc = report_build::document(
        &figures,
        &rules(),
        "Synthetic State",
        &Narrative::default(),
        &DraftLine {
            version: 1,
            made_at: at,
        },
    );
    let pdf = leeway_workflows::report_pdf::render(&doc)?;
    let csv = leeway_workflows::report_csv::render(&doc);
    let json = serde_json::to_vec(&doc)?;
    Ok(pdf.len() + csv.len() + json.len())
}

/// The child's work: every year `runs` times by one method, printing each
/// duration in microseconds and the memory it took.
pub async fn child(
    method: Method,
    database_url: &str,
    years_n: i32,
    runs: usize,
) -> anyhow::Result<String> {
    let url = match database_url.strip_prefix("env:") {
        Some(var) => std::env::var(var).context("the measuring process's database")?,
        None => database_url.to_string(),
    };
    let pool = leeway_entities::db::connect(&url).await?;
    let connected = status_kb("VmRSS:").unwrap_or(0);
    let mut out = String::new();
    for _ in 0..runs {
        for year in years(years_n) {
            // One transaction on one connection, as the record step
            // compiles a draft.
            let db = pool.begin().await?;
            let t = Instant::now();
            match method {
                Method::Hand => {
                    hand_written(&db, period(&year)).await?;
                }
                Method::Compile => {
                    leeway(&db, &year).await?;
                }
                Method::Draft => {
                    draft(&db, &year).await?;
                }
            }
            out.push_str(&format!("us {}\n", t.elapsed().as_micros()));
            db.rollback().await?;
        }
    }
    let db = pool;
    let peak = status_kb("VmHWM:").unwrap_or(0);
    out.push_str(&format!("peak_kb {peak}\nconnected_kb {connected}\n"));
    db.close().await?;
    Ok(out)
}

struct ChildRun {
    sample: Sample,
    peak_kb: u64,
    over_kb: u64,
}

fn spawn_child(
    method: Method,
    label: String,
    url: &str,
    plan: &ReportBenchPlan,
) -> anyhow::Result<ChildRun> {
    let exe = std::env::current_exe()?;
    let name = format!("{method:?}").to_ascii_lowercase();
    // The URL goes by the environment: it may hold a password, and a
    // command line is visible to every user of the machine.
    let output = std::process::Command::new(exe)
        .env("LEEWAY_BENCH_DATABASE", url)
        .args([
            "bench-report",
            "--child",
            &name,
            "--child-database",
            "env:LEEWAY_BENCH_DATABASE",
            "--years",
            &plan.years.to_string(),
            "--runs",
            &plan.runs.to_string(),
        ])
        .output()
        .context("run a measuring process")?;
    anyhow::ensure!(
        output.status.success(),
        "the {name} process failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut sample = Sample::new(label);
    let (mut peak_kb, mut connected_kb) = (0, 0);
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        match line.split_once(' ') {
            Some(("us", v)) => sample
                .durations
                .push(Duration::from_micros(v.parse().unwrap_or(0))),
            Some(("peak_kb", v)) => peak_kb = v.parse().unwrap_or(0),
            Some(("connected_kb", v)) => connected_kb = v.parse().unwrap_or(0),
            _ => {}
        }
    }
    Ok(ChildRun {
        sample,
        peak_kb,
        over_kb: peak_kb.saturating_sub(connected_kb),
    })
}

struct Measured {
    hand: ChildRun,
    compile: ChildRun,
    draft: ChildRun,
    items: usize,
    load_secs: f64,
}

async fn measure(
    dir: &std::path::Path,
    name: &str,
    n_districts: usize,
    plan: &ReportBenchPlan,
) -> anyhow::Result<Measured> {
    let url = database(dir, name).await?;
    let db = leeway_entities::db::connect(&url).await?;
    let waivers = generate(n_districts, plan.years, FIRST_YEAR, 11);
    let items = waivers.iter().map(|w| w.items.len()).sum();
    let loading = Instant::now();
    load_districts(&db, &districts(n_districts, 11))
        .await
        .context("load the synthetic districts")?;
    load(&db, &waivers)
        .await
        .context("load the synthetic state")?;
    let load_secs = loading.elapsed().as_secs_f64();
    drop(waivers);
    // Both must agree on every year before either is timed.
    for year in years(plan.years) {
        let ours = leeway(&db, &year).await?;
        let theirs = hand_written(&db, period(&year)).await?;
        anyhow::ensure!(
            ours == theirs,
            "Leeway's figures and the hand-written SQL's differ for {}",
            year.label()
        );
    }
    db.close().await?;
    let label = |what: &str| format!("{what}, {n_districts} districts");
    Ok(Measured {
        hand: spawn_child(Method::Hand, label("hand-written SQL"), &url, plan)?,
        compile: spawn_child(Method::Compile, label("Leeway: every figure"), &url, plan)?,
        draft: spawn_child(
            Method::Draft,
            label("Leeway: draft (figures, PDF, CSV, JSON)"),
            &url,
            plan,
        )?,
        items,
        load_secs,
    })
}

fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

pub async fn run(plan: ReportBenchPlan) -> anyhow::Result<String> {
    let dir = tempfile::tempdir()?;
    let backend = if std::env::var("DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let tenth = (plan.districts / 10).max(1);
    let small = measure(dir.path(), "tenth", tenth, &plan).await?;
    let full = measure(dir.path(), "full", plan.districts, &plan).await?;
    let lines = vec![
        Line::latency(&full.hand.sample, None, ""),
        Line::latency(
            &full.compile.sample,
            Some(&full.hand.sample),
            "seconds at most",
        ),
        Line::latency(&full.draft.sample, Some(&full.hand.sample), ""),
        Line::latency(
            &small.compile.sample,
            Some(&full.compile.sample),
            "(a tenth of the data)",
        ),
    ];
    let started: DateTime<Utc> = Utc::now();
    let memory = |m: &Measured, n: usize| {
        format!(
            "  {n} districts: hand-written SQL {} (peak {}), Leeway's figures {} (peak {}), a whole draft {} (peak {})\n",
            mb(m.hand.over_kb),
            mb(m.hand.peak_kb),
            mb(m.compile.over_kb),
            mb(m.compile.peak_kb),
            mb(m.draft.over_kb),
            mb(m.draft.peak_kb),
        )
    };
    Ok(format!(
        "Leeway bench-report on {backend}, {started}\n\
         synthetic state: {} districts x {} school years = {} line items ({} loaded in {:.1} s); each method in its own process, each year {} times\n{}\
         memory of each measuring process over its size once connected (its whole peak resident size):\n{}{}",
        plan.districts,
        plan.years,
        full.items,
        full.items + small.items,
        full.load_secs + small.load_secs,
        plan.runs,
        render(&lines),
        memory(&full, plan.districts),
        memory(&small, tenth),
    ))
}

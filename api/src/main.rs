//! `leeway`: the service that runs state flexibility programs.
use clap::{Parser, Subcommand};
use leeway_api::app::{RunningApp, connect_database, redact};
use leeway_api::config::{Settings, SettingsArgs, TemporalTarget};
use leeway_api::import_file::ImportError;
use leeway_api::import_progress::Progress;
use leeway_api::{
    accountability_import, auth, bench, case_export, catalog_import, graphql, organisation_import,
    people_import, seed, waiver_history_import,
};
use leeway_workflows::telemetry::{self, TraceSettings};
use leeway_workflows::{audit, worker};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "leeway",
    version,
    about = "Innovation waivers, networks, grants and the annual usage report, run as durable workflows."
)]
struct Cli {
    /// Optional TOML file with the same settings as the flags (flags and
    /// environment variables win over it).
    #[arg(long, env = "LEEWAY_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the GraphQL API and a worker in one process. Without
    /// TEMPORAL_ADDRESS it starts the Temporal dev server itself; without
    /// DATABASE_URL it uses SQLite; without SMTP settings it writes .eml
    /// files; all under the data directory.
    Serve {
        /// Load demo organisations, people, tokens and provisions first.
        #[arg(long)]
        demo: bool,
        /// Start the embedded Temporal dev server with its web UI, and
        /// print its address (to look at each case's workflow history).
        #[arg(long)]
        temporal_ui: bool,
        #[command(flatten)]
        settings: SettingsArgs,
    },
    /// Run only a worker (scale out next to API replicas); needs TEMPORAL_ADDRESS.
    Worker {
        /// Serve Prometheus `/metrics` (steps, clocks, email outcomes,
        /// database waits) on this address, e.g. 0.0.0.0:9464.
        #[arg(long, env = "LEEWAY_METRICS_LISTEN")]
        metrics_listen: Option<String>,
        #[command(flatten)]
        settings: SettingsArgs,
    },
    /// Bring the database schema up to date.
    Migrate {
        #[command(flatten)]
        settings: SettingsArgs,
    },
    /// Load data into the database.
    Seed {
        /// The demo data set (idempotent).
        #[arg(long, required = true)]
        demo: bool,
        #[command(flatten)]
        settings: SettingsArgs,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Load a state's own data from a file: idempotent upserts, all or
    /// nothing, each import recorded on the audit chain with the file's
    /// SHA-256.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Write out records for an open-records request or an auditor.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Work with the audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Time one waiver transition through GraphQL against a bare Temporal
    /// update, on a throwaway embedded stack; prints a table.
    Bench {
        #[arg(long, default_value_t = 100)]
        iterations: usize,
        /// P2: districts submitting at once, each with its own token.
        #[arg(long, default_value_t = 500)]
        surge_clients: usize,
        /// P2: submissions (open, edit, submit) in all.
        #[arg(long, default_value_t = 2_000)]
        surge_submissions: usize,
        /// P3: cases bulk-loaded before the list is timed.
        #[arg(long, default_value_t = 100_000)]
        list_cases: usize,
        #[command(flatten)]
        settings: SettingsArgs,
    },
    /// Time and peak memory of compiling the annual report's figures over a
    /// synthetic state, next to a hand-written SQL aggregate of the same
    /// figures; on SQLite in a temporary directory, or on the server
    /// `DATABASE_URL` names (a database of its own is made there).
    BenchReport {
        #[arg(long, default_value_t = 1_200)]
        districts: usize,
        #[arg(long, default_value_t = 10)]
        years: i32,
        /// Times each year is compiled.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Internal: measure one method in this process, against the
        /// database `--child-database` names, and print the samples.
        #[arg(long, hide = true, requires = "child_database")]
        child: Option<leeway_api::bench_report::Method>,
        #[arg(long, hide = true)]
        child_database: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token for a user and print it once.
    Create {
        #[arg(long)]
        user: String,
        #[arg(long, default_value = "cli")]
        label: String,
        #[command(flatten)]
        settings: SettingsArgs,
    },
}

/// Where an import reads from, and whether it only prints its plan.
#[derive(clap::Args, Clone)]
struct ImportArgs {
    file: PathBuf,
    /// Print what would change, and change nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    settings: SettingsArgs,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// The provision catalog, from CSV with the header
    /// `citation,title,category,waivable,non_waivable_reason,effective_from,effective_to`
    /// (waivable: yes or no; dates as 2025-08-13; effective_to may be empty).
    Catalog {
        #[command(flatten)]
        args: ImportArgs,
    },
    /// Districts, charters and schools with enrollment by school year,
    /// from CSV with the header
    /// `id,name,kind,parent_id,equity_flags,school_year,enrollment,students_in_poverty,subgroups`
    /// (a row per organisation and year), or JSON Lines (`.jsonl`), one
    /// organisation a line with its years nested; see docs/examples.
    Organisations {
        #[command(flatten)]
        args: ImportArgs,
    },
    /// The state's people, from CSV with the header
    /// `id,name,email,organisation_id,roles,affiliations` (organisations
    /// must exist; roles as `sea_reviewer; sea_approver`, the first the
    /// default; affiliations as `former_employer:KY-165`).
    People {
        #[command(flatten)]
        args: ImportArgs,
        /// Deactivate the active people the file does not list.
        #[arg(long)]
        deactivate_missing: bool,
    },
    /// Accountability results by school and school year, from CSV with the
    /// header
    /// `organisation_id,school_year,subject,performance_rating,mean_scale_score,median_growth`.
    Accountability {
        #[command(flatten)]
        args: ImportArgs,
    },
    /// Waivers decided before Leeway (denied, expired or revoked), from
    /// JSON Lines, one waiver a line with its provisions nested; see
    /// docs/examples/ky-waiver-history.jsonl. For the annual report's past
    /// years; a waiver still in force is entered as a request instead.
    WaiverHistory {
        #[command(flatten)]
        args: ImportArgs,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// One case's whole file as JSON: the case and its program's record,
    /// every submitted version and stored document, every decision and
    /// step, deadlines, every email and its outcome, and the proof that
    /// the audit chain, the documents and the records verify. Exits with 2
    /// (the file still written) if the proof does not verify.
    Case {
        /// The case id, e.g. `waiver-…`.
        id: String,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        settings: SettingsArgs,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every hash chain, the register of chain heads and its
    /// sealed tree heads, and check each case's records against its last
    /// entry; exits with 2 if anything was altered or removed.
    Verify {
        #[command(flatten)]
        settings: SettingsArgs,
    },
    /// Seal a tree head over the register of chain heads now (`leeway
    /// serve` seals every minute) and print it: keep it outside the
    /// database to detect a rewritten history later.
    Seal {
        #[command(flatten)]
        settings: SettingsArgs,
    },
}

/// Runs one `leeway import`: a plan printed line by line, then applied
/// unless it is a dry run; a bad file exits 2 with every bad line named.
async fn import(command: ImportCommand, config: &Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let args = match &command {
        ImportCommand::Catalog { args }
        | ImportCommand::Organisations { args }
        | ImportCommand::People { args, .. }
        | ImportCommand::Accountability { args }
        | ImportCommand::WaiverHistory { args } => args.clone(),
    };
    let s = settings(args.settings, config)?;
    std::fs::create_dir_all(&s.data_dir)?;
    let db = connect_database(&s.database_url).await?;
    let file = args.file;
    let bytes =
        std::fs::read(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let name = file.display().to_string();
    let by = std::env::var("USER").unwrap_or_else(|_| "operator".into());
    let profile_code = s.profile.code.clone();
    let apply = !args.dry_run;
    let outcome: Result<String, ImportError> = async {
        Ok(match command {
            ImportCommand::Catalog { .. } => {
                let plan = catalog_import::plan(&db, &bytes).await?;
                for e in &plan.added {
                    println!("add     {}  {}", e.citation, e.title);
                }
                for e in &plan.changed {
                    println!("change  {}  {}", e.citation, e.title);
                }
                if apply {
                    let n = plan.added.len() + plan.changed.len();
                    let progress = Progress::on_stderr("provisions", n as u64);
                    catalog_import::apply(&db, &plan, &name, &by, &progress).await?;
                }
                plan.summary()
            }
            ImportCommand::Organisations { .. } => {
                let plan = organisation_import::plan(&db, &file, &bytes).await?;
                for o in &plan.added {
                    println!("add     {}  {} ({})", o.id, o.name, o.kind.as_str());
                }
                for o in &plan.changed {
                    println!("change  {}  {} ({})", o.id, o.name, o.kind.as_str());
                }
                if apply {
                    let n = plan.added.len() + plan.changed.len();
                    let progress = Progress::on_stderr("organisations", n as u64);
                    organisation_import::apply(&db, &plan, &name, &by, &progress).await?;
                }
                plan.summary()
            }
            ImportCommand::People {
                deactivate_missing, ..
            } => {
                let plan = people_import::plan(&db, &bytes, deactivate_missing).await?;
                for p in &plan.added {
                    println!("add         {}  {} <{}>", p.id, p.name, p.email);
                }
                for p in &plan.changed {
                    println!("change      {}  {} <{}>", p.id, p.name, p.email);
                }
                for id in &plan.missing {
                    let what = if deactivate_missing {
                        "deactivate"
                    } else {
                        "not listed"
                    };
                    println!("{what:<11} {id}");
                }
                if apply {
                    let n = plan.added.len() + plan.changed.len();
                    let progress = Progress::on_stderr("people", n as u64);
                    people_import::apply(&db, &plan, &name, &by, &progress).await?;
                }
                plan.summary()
            }
            ImportCommand::Accountability { .. } => {
                let plan = accountability_import::plan(&db, &bytes).await?;
                for r in plan
                    .added
                    .iter()
                    .map(|r| ("add   ", r))
                    .chain(plan.changed.iter().map(|r| ("change", r)))
                {
                    println!(
                        "{}  {} {} {}",
                        r.0, r.1.organisation_id, r.1.school_year, r.1.subject
                    );
                }
                if apply {
                    let n = plan.added.len() + plan.changed.len();
                    let progress = Progress::on_stderr("results", n as u64);
                    accountability_import::apply(&db, &plan, &name, &by, &progress).await?;
                }
                plan.summary()
            }
            ImportCommand::WaiverHistory { .. } => {
                let plan = waiver_history_import::plan(&db, &bytes).await?;
                for w in &plan.added {
                    println!(
                        "add     {} {} {} ({})",
                        w.case_id,
                        w.district_id,
                        w.submitted_at.format("%Y-%m-%d"),
                        w.title
                    );
                }
                if apply {
                    let progress = Progress::on_stderr("waivers", plan.added.len() as u64);
                    let from = waiver_history_import::Provenance {
                        file: &name,
                        by: &by,
                        profile_code: &profile_code,
                    };
                    waiver_history_import::apply(&db, &plan, &from, &progress).await?;
                }
                plan.summary()
            }
        })
    }
    .await;
    match outcome {
        Ok(summary) if apply => println!("Imported: {summary}"),
        Ok(summary) => println!("Dry run: {summary}"),
        Err(e @ ImportError::BadRows(_)) => {
            eprintln!("{name}: {e}");
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C or SIGTERM: either way the dev server child is stopped with us.
async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async {
            match term.as_mut() {
                Some(t) => { t.recv().await; }
                None => std::future::pending::<()>().await,
            }
        } => {}
    }
}

fn settings(args: SettingsArgs, config: &Option<PathBuf>) -> anyhow::Result<Settings> {
    Ok(args.resolve(config.as_deref())?)
}

#[tokio::main]
async fn main() -> ExitCode {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    // Traces go out over OTLP only when an endpoint is configured.
    let traces = match TraceSettings::from_env()
        .and_then(|t| t.map(|t| telemetry::provider(&t)).transpose())
    {
        Ok(provider) => provider,
        Err(e) => {
            eprintln!("leeway: {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "leeway=info,warn".into()),
        )
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(traces.as_ref().map(telemetry::layer))
        .init();
    let cli = Cli::parse();
    let code = match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("leeway: {e:#}");
            ExitCode::FAILURE
        }
    };
    if let Some(provider) = traces {
        // The last spans are sent before the process ends.
        let _ = tokio::task::spawn_blocking(move || provider.shutdown()).await;
    }
    code
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve {
            demo,
            temporal_ui,
            settings: args,
        } => {
            let mut s = settings(args, &cli.config)?;
            s.temporal_ui = temporal_ui;
            if temporal_ui && matches!(s.temporal, TemporalTarget::External(_)) {
                eprintln!(
                    "--temporal-ui starts the embedded dev server's UI; with TEMPORAL_ADDRESS set, open that Temporal's own UI."
                );
            }
            let mode = match &s.temporal {
                TemporalTarget::External(a) => format!("Temporal at {a}"),
                TemporalTarget::DevServer { .. } => "embedded Temporal dev server".to_string(),
            };
            eprintln!(
                "Starting Leeway ({mode}, database {}, profile {})...",
                redact(&s.database_url),
                s.profile.code
            );
            let running = RunningApp::start(s, demo).await?;
            if demo {
                // Past years, so that the last finished year's annual
                // report has something in every section. A stop asked for
                // meanwhile stops everything, the dev server too.
                tokio::select! {
                    seeded = running.app.seed_demo_history() => seeded.map_err(|e| {
                        anyhow::anyhow!("cannot seed the demo's history: {}", e.message())
                    })?,
                    _ = shutdown_signal() => {
                        eprintln!("Stopping...");
                        running.stop().await;
                        return Ok(ExitCode::SUCCESS);
                    }
                }
            }
            println!("Leeway is running.");
            println!("  GraphiQL: http://{}/graphql", running.addr);
            println!("  Health:   http://{}/healthz", running.addr);
            println!("  Ready:    http://{}/readyz", running.addr);
            if let Some(ui) = running.temporal_ui() {
                println!("  Temporal UI: {ui}");
            }
            if demo {
                println!("  Demo tokens (send as `Authorization: Bearer <token>`):");
                for u in seed::DEMO_USERS {
                    println!(
                        "    {:<26} {:<34} {} ({})",
                        u.token,
                        u.role.label(),
                        u.name,
                        u.organisation
                    );
                }
            }
            println!("Press Ctrl-C to stop.");
            shutdown_signal().await;
            eprintln!("Stopping...");
            running.stop().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Worker {
            metrics_listen,
            settings: args,
        } => {
            let s = settings(args, &cli.config)?;
            let TemporalTarget::External(address) = s.temporal.clone() else {
                anyhow::bail!(
                    "TEMPORAL_ADDRESS: `leeway worker` joins a running Temporal; set TEMPORAL_ADDRESS (or use `leeway serve`)"
                );
            };
            connect_database(&s.database_url).await?;
            let templates = s.load_email_templates()?;
            let t = worker::TemporalSettings {
                address,
                namespace: s.namespace,
                task_queue: s.task_queue,
            };
            let rules = s.profile.notifications.clone();
            let handle = tokio::task::spawn_blocking(move || {
                worker::spawn(t, s.database_url, s.mail, rules, templates)
            })
            .await??;
            if let Some(addr) = metrics_listen {
                let listener = tokio::net::TcpListener::bind(&addr).await.map_err(|e| {
                    anyhow::anyhow!("LEEWAY_METRICS_LISTEN: cannot listen on {addr}: {e}")
                })?;
                println!("Metrics:  http://{}/metrics", listener.local_addr()?);
                tokio::spawn(async move {
                    if let Err(e) = axum::serve(listener, leeway_api::http::metrics_router()).await
                    {
                        tracing::error!(error = %e, "the metrics endpoint stopped");
                    }
                });
            }
            println!("Worker running. Press Ctrl-C to stop.");
            shutdown_signal().await;
            let _ = tokio::task::spawn_blocking(move || handle.stop()).await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { settings: args } => {
            let s = settings(args, &cli.config)?;
            std::fs::create_dir_all(&s.data_dir)?;
            connect_database(&s.database_url).await?;
            println!("Database {} is up to date.", redact(&s.database_url));
            Ok(ExitCode::SUCCESS)
        }
        Command::Seed {
            demo: _,
            settings: args,
        } => {
            let s = settings(args, &cli.config)?;
            std::fs::create_dir_all(&s.data_dir)?;
            let db = connect_database(&s.database_url).await?;
            seed::seed_demo(&db).await?;
            println!("Demo data loaded. Tokens:");
            for u in seed::DEMO_USERS {
                println!("  {:<26} {} ({})", u.token, u.role.label(), u.name);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    user,
                    label,
                    settings: args,
                },
        } => {
            let s = settings(args, &cli.config)?;
            let db = connect_database(&s.database_url).await?;
            let token = auth::issue_token(&db, &user, &label, None)
                .await
                .map_err(|e| anyhow::anyhow!(e.message()))?;
            println!("{token}");
            eprintln!("This token is shown once; Leeway stores only its hash.");
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { command } => import(command, &cli.config).await,
        Command::Export {
            command:
                ExportCommand::Case {
                    id,
                    out,
                    settings: args,
                },
        } => {
            let s = settings(args, &cli.config)?;
            let db = connect_database(&s.database_url).await?;
            let file = match case_export::export(&db, &id).await {
                Ok(file) => file,
                Err(e @ case_export::ExportError::NoSuchCase(_)) => {
                    eprintln!("{e}");
                    return Ok(ExitCode::from(2));
                }
                Err(e) => return Err(e.into()),
            };
            let text = serde_json::to_string_pretty(&file)?;
            match &out {
                Some(path) => std::fs::write(path, text + "\n")
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
                None => println!("{text}"),
            }
            if file["proof"]["verifies"] == serde_json::Value::Bool(true) {
                eprintln!(
                    "The case's file verifies: its audit chain, documents and records hold together."
                );
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "THE CASE'S FILE DOES NOT VERIFY; see \"proof\" in the export: {}",
                    file["proof"]
                );
                Ok(ExitCode::from(2))
            }
        }
        Command::Schema => {
            print!("{}", graphql::sdl());
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify { settings: args },
        } => {
            let s = settings(args, &cli.config)?;
            let db = connect_database(&s.database_url).await?;
            let report = audit::verify(&db).await?;
            println!(
                "Checked {} entries in {} chains, {} sealed tree heads and {} bytes of stored forms.",
                report.entries, report.chains, report.tree_heads, report.document_bytes
            );
            if report.is_intact() {
                println!("The audit trail is intact.");
                Ok(ExitCode::SUCCESS)
            } else {
                for p in &report.problems {
                    println!(
                        "BROKEN: chain {} at entry {}: {}",
                        p.chain, p.seq, p.problem
                    );
                }
                Ok(ExitCode::from(2))
            }
        }
        Command::Audit {
            command: AuditCommand::Seal { settings: args },
        } => {
            let s = settings(args, &cli.config)?;
            let db = connect_database(&s.database_url).await?;
            match leeway_workflows::audit_seal::seal(&db).await? {
                Some(h) => println!(
                    "Tree head {}: {} register rows, root {}, hash {}",
                    h.at.to_rfc3339(),
                    h.tree_size,
                    h.root,
                    h.hash
                ),
                None => println!("Nothing new to seal."),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            iterations,
            surge_clients,
            surge_submissions,
            list_cases,
            settings: args,
        } => {
            let plan = bench::BenchPlan {
                iterations,
                surge: leeway_api::bench_surge::Surge {
                    clients: surge_clients,
                    submissions: surge_submissions,
                },
                list_cases,
            };
            let table = bench::run(plan, args).await?;
            print!("{table}");
            Ok(ExitCode::SUCCESS)
        }
        Command::BenchReport {
            child: Some(method),
            child_database: Some(url),
            years,
            runs,
            ..
        } => {
            print!(
                "{}",
                leeway_api::bench_report::child(method, &url, years, runs).await?
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::BenchReport {
            districts,
            years,
            runs,
            ..
        } => {
            let plan = leeway_api::bench_report::ReportBenchPlan {
                districts,
                years,
                runs,
            };
            print!("{}", leeway_api::bench_report::run(plan).await?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

//! Starting and stopping the whole of Leeway in one process: the embedded
//! Temporal dev server (unless one is configured), the database, a worker
//! and the GraphQL server. `leeway serve` and the end-to-end tests both
//! start it this way.
use crate::config::{Settings, TemporalTarget};
use crate::context::AppContext;
use crate::temporal_dev::TemporalDevServer;
use crate::{http, seed};
use leeway_migrations::{Migrator, MigratorTrait};
use leeway_workflows::worker::{self, TemporalSettings, WorkerHandle};
use sea_orm::DatabaseConnection;
use std::net::SocketAddr;
use tokio::sync::oneshot;

pub struct RunningApp {
    pub addr: SocketAddr,
    pub app: AppContext,
    stop_http: Option<oneshot::Sender<()>>,
    http_task: Option<tokio::task::JoinHandle<()>>,
    worker: Option<WorkerHandle>,
    dev_server: Option<TemporalDevServer>,
    sealer: Option<tokio::task::JoinHandle<()>>,
}

/// How often the register of audit chain heads gets a new tree head (and
/// expired idempotency keys are forgotten).
const SEAL_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

fn start_sealer(db: DatabaseConnection) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SEAL_EVERY);
        loop {
            every.tick().await;
            if let Err(e) = leeway_workflows::audit_seal::seal(&db).await {
                crate::log_throttle::error("could not seal the audit register", &e.to_string());
            }
            if let Err(e) = crate::idempotency::forget_expired(&db).await {
                crate::log_throttle::error(
                    "could not forget expired idempotency keys",
                    &e.to_string(),
                );
            }
        }
    })
}

pub async fn connect_database(url: &str) -> anyhow::Result<DatabaseConnection> {
    let db = leeway_entities::db::connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database at {}: {e}", redact(url)))?;
    Migrator::up(&db, None)
        .await
        .map_err(|e| anyhow::anyhow!("database migration failed: {e}"))?;
    Ok(db)
}

/// Hides a password in a database URL before printing it.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

impl RunningApp {
    /// The embedded dev server's web UI, when `serve --temporal-ui` asked for it.
    pub fn temporal_ui(&self) -> Option<&str> {
        self.dev_server.as_ref().and_then(|d| d.ui_url.as_deref())
    }

    pub async fn start(settings: Settings, demo: bool) -> anyhow::Result<RunningApp> {
        std::fs::create_dir_all(&settings.data_dir).map_err(|e| {
            anyhow::anyhow!(
                "cannot create the data directory {}: {e}",
                settings.data_dir.display()
            )
        })?;
        // The identity provider's keys first: a wrong setting stops
        // start-up before anything is running.
        let oidc = match &settings.oidc {
            Some(o) => Some(std::sync::Arc::new(
                crate::oidc::OidcVerifier::load(o).await?,
            )),
            None => None,
        };
        let (address, dev_server) = match &settings.temporal {
            TemporalTarget::External(a) => (a.clone(), None),
            TemporalTarget::DevServer { bin } => {
                let data = std::fs::canonicalize(&settings.data_dir)?;
                let server = TemporalDevServer::start(
                    bin,
                    Some(&data.join("temporal.db")),
                    Some(data.join("temporal.log")),
                    settings.temporal_ui,
                )
                .await?;
                (server.address.clone(), Some(server))
            }
        };
        let db = connect_database(&settings.database_url).await?;
        if demo {
            seed::seed_demo(&db).await?;
        }
        let temporal = TemporalSettings {
            address,
            namespace: settings.namespace.clone(),
            task_queue: settings.task_queue.clone(),
        };
        let worker_settings = temporal.clone();
        let db_url = settings.database_url.clone();
        let mail = settings.mail.clone();
        let rules = settings.profile.notifications.clone();
        let templates = settings.load_email_templates()?;
        let worker_templates = templates.clone();
        let worker = tokio::task::spawn_blocking(move || {
            worker::spawn(worker_settings, db_url, mail, rules, worker_templates)
        })
        .await??;
        let client = worker::connect_client(&temporal).await?;
        let mailer = leeway_workflows::mailer::Mailer::new(&settings.mail)?;
        let app = AppContext {
            mailer,
            templates,
            db,
            temporal: client,
            task_queue: settings.task_queue.clone(),
            profile: settings.profile.clone(),
            engine: crate::engine_admission::EngineAdmission::new(
                crate::engine_admission::IN_FLIGHT,
            ),
            oidc,
        };
        // Each network's own case holds its cap; it must exist before
        // anyone applies.
        app.open_networks()
            .await
            .map_err(|e| anyhow::anyhow!("cannot open the state's networks: {}", e.message()))?;
        app.ensure_report_schedule().await.map_err(|e| {
            anyhow::anyhow!("cannot set the annual report's schedule: {}", e.message())
        })?;
        if demo {
            app.open_demo_grant_program().await.map_err(|e| {
                anyhow::anyhow!("cannot open the demo grant program: {}", e.message())
            })?;
        }
        let router = http::router(http::HttpState::new(app.clone()));
        let listener = tokio::net::TcpListener::bind(settings.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.listen))?;
        let addr = listener.local_addr()?;
        let (stop_http, stopped) = oneshot::channel::<()>();
        let http_task = tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "the HTTP server stopped");
            }
        });
        let sealer = start_sealer(app.db.clone());
        Ok(RunningApp {
            addr,
            app,
            stop_http: Some(stop_http),
            http_task: Some(http_task),
            worker: Some(worker),
            dev_server,
            sealer: Some(sealer),
        })
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.sealer.take() {
            s.abort();
        }
        if let Some(s) = self.stop_http.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.http_task.take() {
            let _ = t.await;
        }
        if let Some(w) = self.worker.take() {
            let _ = tokio::task::spawn_blocking(move || w.stop()).await;
        }
        if let Some(d) = self.dev_server.take() {
            d.stop().await;
        }
    }
}

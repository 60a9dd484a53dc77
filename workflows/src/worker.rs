//! The Temporal worker: registers every workflow and activity and polls the
//! task queue. The SDK's worker future is not `Send`, so it runs on a
//! thread of its own with its own runtime and database pool.
use crate::email_dispatcher::EmailDispatcher;
use crate::email_templates::EmailTemplates;
use crate::engine::activities::CaseActivities;
use crate::mailer::{MailSettings, Mailer};
use crate::programs;
use leeway_machines::domain::notification_rules::NotificationRules;
use std::sync::{Arc, mpsc};
use temporalio_client::{Client, ClientOptions, Connection, ConnectionOptions};
use temporalio_sdk::runtime::PollerBehavior;
use temporalio_sdk::{Runtime, Worker, WorkerOptions};
use tokio::sync::Notify;

#[derive(Clone, Debug)]
pub struct TemporalSettings {
    /// e.g. `http://127.0.0.1:7233`
    pub address: String,
    pub namespace: String,
    pub task_queue: String,
}

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("Temporal address `{0}` is not a URL (expected e.g. http://127.0.0.1:7233)")]
    Address(String),
    #[error("cannot reach Temporal at {address}: {message}")]
    Connect { address: String, message: String },
    #[error("worker: {0}")]
    Start(String),
}

pub async fn connect_client(settings: &TemporalSettings) -> Result<Client, WorkerError> {
    let url = url::Url::parse(&settings.address)
        .map_err(|_| WorkerError::Address(settings.address.clone()))?;
    let options = ConnectionOptions::new(url)
        .identity(format!("leeway@{}", std::process::id()))
        .connect_timeout(std::time::Duration::from_secs(10))
        .build();
    let connection = Connection::connect(options)
        .await
        .map_err(|e| WorkerError::Connect {
            address: settings.address.clone(),
            message: e.to_string(),
        })?;
    Client::new(
        connection,
        ClientOptions::new(settings.namespace.clone()).build(),
    )
    .map_err(|e| WorkerError::Connect {
        address: settings.address.clone(),
        message: e.to_string(),
    })
}

/// Whether Temporal answers for the client's namespace within `within`;
/// the readiness check asks this.
pub async fn temporal_ready(client: &Client, within: std::time::Duration) -> Result<(), String> {
    use temporalio_client::NamespacedClient;
    use temporalio_common::protos::temporal::api::workflowservice::v1::DescribeNamespaceRequest;
    let request = DescribeNamespaceRequest {
        namespace: client.namespace(),
        ..Default::default()
    };
    let mut service = client.connection().workflow_service();
    match tokio::time::timeout(
        within,
        service.describe_namespace(temporalio_client::tonic::Request::new(request)),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(status)) => Err(format!("{:?}: {}", status.code(), status.message())),
        Err(_) => Err(format!("no answer within {} s", within.as_secs())),
    }
}

pub struct WorkerHandle {
    shutdown: Box<dyn Fn() + Send + Sync>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl WorkerHandle {
    /// Asks the worker to finish its tasks and stop, and waits for it.
    pub fn stop(mut self) {
        (self.shutdown)();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts a worker thread and returns once it is polling (or failed to start).
/// Beside the worker runs this process's email dispatcher, with the
/// state's `[notifications]` rules.
pub fn spawn(
    temporal: TemporalSettings,
    database_url: String,
    mail: MailSettings,
    rules: NotificationRules,
    templates: Arc<EmailTemplates>,
) -> Result<WorkerHandle, WorkerError> {
    let (tx, rx) = mpsc::channel::<Result<Box<dyn Fn() + Send + Sync>, WorkerError>>();
    let thread = std::thread::Builder::new()
        .name("leeway-worker".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(WorkerError::Start(e.to_string())));
                    return;
                }
            };
            rt.block_on(async move {
                let started = async {
                    let db = leeway_entities::db::connect(&database_url)
                        .await
                        .map_err(|e| WorkerError::Start(format!("database: {e}")))?;
                    let mailer =
                        Mailer::new(&mail).map_err(|e| WorkerError::Start(e.to_string()))?;
                    let client = connect_client(&temporal).await?;
                    let email_wake = Arc::new(Notify::new());
                    tokio::spawn(
                        EmailDispatcher {
                            db: db.clone(),
                            mailer,
                            rules,
                            templates: templates.clone(),
                            wake: email_wake.clone(),
                        }
                        .run(),
                    );
                    let runtime = Runtime::from_current_tokio(Default::default())
                        .map_err(|e| WorkerError::Start(e.to_string()))?;
                    let mut options = WorkerOptions::new(temporal.task_queue.clone())
                        .register_workflow::<crate::bench_workflow::BareUpdateWorkflow>()
                        .map_err(|e| WorkerError::Start(e.to_string()))?
                        // A deadline day opens hundreds of cases at once: their
                        // first tasks come from the shared queue, which the
                        // default (one poller in five) starves.
                        .workflow_task_poller_behavior(PollerBehavior::SimpleMaximum(16))
                        .nonsticky_to_sticky_poll_ratio(0.5)
                        // Under a surge a case's next task may wait in its
                        // sticky queue longer than the default 10 s; moved
                        // to the shared queue, it would be replayed from
                        // its whole history, more work when there is least
                        // room for it.
                        .sticky_queue_schedule_to_start_timeout(std::time::Duration::from_secs(30))
                        .register_activities(CaseActivities {
                            db,
                            temporal: client.clone(),
                            email_wake,
                            templates,
                        })
                        .build();
                    programs::register(&mut options)
                        .map_err(|e| WorkerError::Start(e.to_string()))?;
                    let worker = Worker::new(&runtime, client, options)
                        .map_err(|e| WorkerError::Start(e.to_string()))?;
                    Ok::<_, WorkerError>((runtime, worker))
                }
                .await;
                match started {
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                    Ok((_runtime, mut worker)) => {
                        let _ = tx.send(Ok(Box::new(worker.shutdown_handle())));
                        if let Err(e) = worker.run().await {
                            tracing::error!(error = %e, "the Temporal worker stopped");
                        }
                    }
                }
            });
        })
        .map_err(|e| WorkerError::Start(e.to_string()))?;
    let shutdown = rx
        .recv()
        .map_err(|_| WorkerError::Start("the worker thread ended before starting".into()))??;
    Ok(WorkerHandle {
        shutdown,
        thread: Some(thread),
    })
}

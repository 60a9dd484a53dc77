//! `leeway serve --demo` as a process of its own, for the tests that kill
//! it (the `leeway` binary belongs to another package, so these tests
//! cannot name it). Settings come from the same flags and environment.
use clap::Parser;
use leeway_api::app::RunningApp;
use leeway_api::config::SettingsArgs;

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    settings: SettingsArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let settings = Args::parse().settings.resolve(None)?;
    let running = RunningApp::start(settings, true).await?;
    println!("listening on {}", running.addr);
    std::future::pending::<()>().await;
    Ok(())
}

//! What operators watch: Prometheus counters and histograms, one registry
//! per process, served as text at the API's `/metrics`. Labels are names
//! from the schema and the programs (operations, commands, codes), never
//! anything a caller chose, so the series stay few.
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::LazyLock;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The request's first root field (`openWaiverDraft`), or `unknown`.
    pub operation: String,
    /// `OK`, or the first error's `extensions.code`.
    pub code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OperationLabels {
    pub operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StepLabels {
    pub program: String,
    pub command: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PoolLabels {
    /// `open` or `idle`.
    pub state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WaitLabels {
    /// `engine` or `database`.
    pub resource: String,
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub request_seconds: Family<OperationLabels, Histogram>,
    pub steps: Family<StepLabels, Counter>,
    pub clocks_fired: Family<StepLabels, Counter>,
    pub emails: Family<OutcomeLabels, Counter>,
    pub waits: Family<WaitLabels, Histogram>,
    pub pool: Family<PoolLabels, Gauge>,
}

fn seconds() -> Histogram {
    // 5 ms to about 80 s: a step on a quiet day to one on a deadline day.
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
        0.005, 2.0, 15,
    ))
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let requests = Family::<RequestLabels, Counter>::default();
    let request_seconds = Family::<OperationLabels, Histogram>::new_with_constructor(seconds);
    let steps = Family::<StepLabels, Counter>::default();
    let clocks_fired = Family::<StepLabels, Counter>::default();
    let emails = Family::<OutcomeLabels, Counter>::default();
    let waits = Family::<WaitLabels, Histogram>::new_with_constructor(seconds);
    let pool = Family::<PoolLabels, Gauge>::default();
    let mut registry = Registry::with_prefix("leeway");
    registry.register(
        "graphql_requests",
        "GraphQL requests by operation and outcome code",
        requests.clone(),
    );
    registry.register(
        "graphql_request_seconds",
        "GraphQL request latency by operation",
        request_seconds.clone(),
    );
    registry.register(
        "steps",
        "Steps recorded, by program and command",
        steps.clone(),
    );
    registry.register(
        "clocks_fired",
        "Steps taken by a case's own clock (escalations, expiries), by program and command",
        clocks_fired.clone(),
    );
    registry.register(
        "emails",
        "Email delivery attempts by outcome",
        emails.clone(),
    );
    registry.register(
        "wait_seconds",
        "Time spent waiting for a turn: `engine` (a step's turn for Temporal), `database` (a step's database connection and write turn)",
        waits.clone(),
    );
    registry.register(
        "database_pool_connections",
        "Database connections this process holds: `open` in all, `idle` of them (open minus idle are in use; none idle under load means steps wait for a connection)",
        pool.clone(),
    );
    Metrics {
        pool,
        registry,
        requests,
        request_seconds,
        steps,
        clocks_fired,
        emails,
        waits,
    }
});

pub fn metrics() -> &'static Metrics {
    &METRICS
}

/// The Prometheus text exposition of everything counted so far.
pub fn render() -> String {
    let mut out = String::new();
    if encode(&mut out, &METRICS.registry).is_err() {
        out.clear();
    }
    out
}

/// A request refused before GraphQL read it (a malformed body, one too
/// large, a caller over its limit): counted as operation `unknown`, with
/// no latency, which would only blur the histogram.
pub fn count_refused(code: &str) {
    metrics()
        .requests
        .get_or_create(&RequestLabels {
            operation: "unknown".into(),
            code: code.to_string(),
        })
        .inc();
}

/// Reads the database pool's connections into the gauges (at scrape time).
pub fn sample_pool(db: &sea_orm::DatabaseConnection) {
    use sea_orm::DbBackend;
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            set_pool(pool.size(), pool.num_idle());
        }
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            set_pool(pool.size(), pool.num_idle());
        }
        _ => {}
    }
}

/// The database pool as it stands: connections open and idle.
pub fn set_pool(open: u32, idle: usize) {
    let m = metrics();
    m.pool
        .get_or_create(&PoolLabels {
            state: "open".into(),
        })
        .set(i64::from(open));
    m.pool
        .get_or_create(&PoolLabels {
            state: "idle".into(),
        })
        .set(i64::try_from(idle).unwrap_or(i64::MAX));
}

pub fn count_request(operation: &str, code: &str, seconds: f64) {
    let m = metrics();
    m.requests
        .get_or_create(&RequestLabels {
            operation: operation.to_string(),
            code: code.to_string(),
        })
        .inc();
    m.request_seconds
        .get_or_create(&OperationLabels {
            operation: operation.to_string(),
        })
        .observe(seconds);
}

/// One freshly recorded step; `by_clock` when the case's own clock took it.
pub fn count_step(program: &str, command: &str, by_clock: bool) {
    let labels = StepLabels {
        program: program.to_string(),
        command: command.to_string(),
    };
    let m = metrics();
    m.steps.get_or_create(&labels).inc();
    if by_clock {
        m.clocks_fired.get_or_create(&labels).inc();
    }
}

pub fn count_emails(outcome: &str, n: u32) {
    if n > 0 {
        metrics()
            .emails
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_string(),
            })
            .inc_by(u64::from(n));
    }
}

pub fn observe_wait(resource: &str, seconds: f64) {
    metrics()
        .waits
        .get_or_create(&WaitLabels {
            resource: resource.to_string(),
        })
        .observe(seconds);
}

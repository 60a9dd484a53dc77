//! Readiness: whether this process can serve commands now, which needs
//! both the database and Temporal. Liveness (`/healthz`) asks only whether
//! the process answers, so an orchestrator restarts a hung process but
//! not one waiting out a Temporal outage.
use crate::context::AppContext;
use sea_orm::ConnectionTrait;
use serde::Serialize;
use std::time::Duration;

const CHECK_WITHIN: Duration = Duration::from_secs(3);

#[derive(Serialize, Debug)]
pub struct Readiness {
    pub status: &'static str,
    pub database: String,
    pub temporal: String,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.status == "ready"
    }
}

pub async fn check(app: &AppContext) -> Readiness {
    let database = async {
        match tokio::time::timeout(CHECK_WITHIN, app.db.execute_unprepared("SELECT 1")).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("no answer within {} s", CHECK_WITHIN.as_secs())),
        }
    };
    let temporal = leeway_workflows::worker::temporal_ready(&app.temporal, CHECK_WITHIN);
    let (database, temporal) = tokio::join!(database, temporal);
    let ready = database.is_ok() && temporal.is_ok();
    // The detail (hosts, users) is for the log, not for anyone asking.
    let say = |what: &str, r: Result<(), String>| match r {
        Ok(()) => "ok".to_string(),
        Err(e) => {
            crate::log_throttle::error(&format!("readiness: {what} is not answering"), &e);
            "unavailable".to_string()
        }
    };
    Readiness {
        status: if ready { "ready" } else { "not ready" },
        database: say("the database", database),
        temporal: say("Temporal", temporal),
    }
}

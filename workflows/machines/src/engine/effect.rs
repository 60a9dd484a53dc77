//! Rules that span cases. A step may carry effects; the store applies them
//! in the same database transaction as the step's audit entry. A
//! conditional effect that does not hold refuses the whole step: nothing is
//! written and nothing is retried.
use super::refusal::Refusal;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A shared, counted resource: a network's seats, an appropriation's
/// balance in integer cents.
pub type PoolId = String;

/// A command for another case, delivered through the command outbox as a
/// Temporal update whose id is derived from the sending step, so that a
/// redelivery is a duplicate Temporal drops.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingCommand {
    /// The receiving machine's program, e.g. `network_membership`.
    pub program: String,
    /// The receiving machine's command, as JSON.
    pub command: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// Creates the pool if it does not exist yet; an existing pool keeps
    /// the capacity it has (an administrator may have changed it).
    OpenPool {
        pool: PoolId,
        label: String,
        /// `None`: no cap.
        capacity: Option<i64>,
    },
    /// Changes a pool's capacity (a statute changed the cap).
    SetCapacity { pool: PoolId, capacity: Option<i64> },
    /// Takes `amount` from the pool if it fits under the capacity.
    Reserve {
        pool: PoolId,
        amount: i64,
        /// Why the step is refused when it does not fit.
        refusal: Refusal,
    },
    /// Puts this case in the pool's queue, ordered by `rank` (lower first)
    /// and then by `since`.
    Enqueue {
        pool: PoolId,
        rank: i64,
        since: DateTime<Utc>,
    },
    /// Takes this case out of the pool's queue. Refused if it is no longer
    /// there, which means an offer is already on its way to it.
    LeaveQueue { pool: PoolId, refusal: Refusal },
    /// Hands `amount` this case held to the first case waiting in the
    /// pool's queue, by sending it `offer`; with nobody waiting, releases it.
    PassOn {
        pool: PoolId,
        amount: i64,
        offer: OutgoingCommand,
    },
    /// Offers whatever is free in the pool, `amount` each, to the cases
    /// waiting in its queue, in order.
    FillFromQueue {
        pool: PoolId,
        amount: i64,
        offer: OutgoingCommand,
    },
    /// Sends a command to one named case.
    Send {
        case_id: String,
        command: OutgoingCommand,
    },
    /// Opens an appropriation's ledger with everything available; an
    /// existing ledger is left as it is.
    OpenLedger {
        ledger: LedgerId,
        label: String,
        /// Integer cents.
        appropriated: i64,
    },
    /// Moves `amount` cents between two of a ledger's buckets if `from`
    /// holds that much; otherwise the step is refused with `refusal`, in
    /// whose message `{available}` and `{committed}` are replaced by what
    /// the ledger holds.
    MoveMoney {
        ledger: LedgerId,
        amount: i64,
        from: Bucket,
        to: Bucket,
        refusal: Refusal,
    },
    /// Gives back money a case had committed (declined, expired, unspent):
    /// to available while the fiscal year runs, to lapsed once the ledger
    /// is closed.
    ReturnMoney { ledger: LedgerId, amount: i64 },
    /// The fiscal year ended: whatever is available lapses, and what is
    /// returned from now on lapses too.
    CloseLedger { ledger: LedgerId },
}

/// An appropriation's ledger, by id.
pub type LedgerId = String;

/// Where a ledger's money is. Every move takes from one and adds to
/// another, so appropriated = available + committed + disbursed + lapsed
/// always holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// Not yet committed to any grant.
    Available,
    /// Awarded and not yet paid.
    Committed,
    /// Paid out on approved claims.
    Disbursed,
    /// Past the fiscal year, no longer to be spent.
    Lapsed,
}

impl Bucket {
    pub const ALL: [Bucket; 4] = [
        Bucket::Available,
        Bucket::Committed,
        Bucket::Disbursed,
        Bucket::Lapsed,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Bucket::Available => "available",
            Bucket::Committed => "committed",
            Bucket::Disbursed => "disbursed",
            Bucket::Lapsed => "lapsed",
        }
    }
}

impl Effect {
    /// Effects that may queue commands for other cases: the step then has
    /// something to deliver.
    pub fn may_send(&self) -> bool {
        matches!(
            self,
            Effect::PassOn { .. } | Effect::FillFromQueue { .. } | Effect::Send { .. }
        )
    }
}

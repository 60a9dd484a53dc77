//! The notification outbox. Transitions queue one row per recipient inside
//! their transaction; delivery sends what is not yet sent and records the
//! outcome, so a step's email goes out once even when delivery is retried.
use crate::mailer::{MailError, Mailer, OutgoingEmail};
use chrono::Utc;
use leeway_entities::{notification, user};
use leeway_machines::domain::actor::Role;
use leeway_machines::engine::notice::{Audience, Notice};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use sha2::{Digest, Sha256};

/// The case facts an audience is resolved against.
pub struct CaseParties<'a> {
    pub case_id: &'a str,
    /// The district or charter the case belongs to, if any.
    pub organisation_id: Option<&'a str>,
    pub assigned_reviewer: Option<&'a str>,
}

async fn recipients<C: ConnectionTrait>(
    db: &C,
    parties: &CaseParties<'_>,
    audience: &[Audience],
) -> Result<Vec<user::Model>, DbErr> {
    let mut out: Vec<user::Model> = Vec::new();
    for a in audience {
        let found = match a {
            Audience::District => match parties.organisation_id {
                Some(org) => {
                    user::Entity::find()
                        .filter(user::Column::OrganisationId.eq(org))
                        .filter(user::Column::Role.is_in([
                            Role::DistrictApplicant.as_str(),
                            Role::DistrictAuthorizedRep.as_str(),
                        ]))
                        .all(db)
                        .await?
                }
                None => Vec::new(),
            },
            Audience::AssignedReviewer => match parties.assigned_reviewer {
                Some(id) => user::Entity::find_by_id(id).all(db).await?,
                None => Vec::new(),
            },
            Audience::Reviewers => by_role(db, Role::SeaReviewer).await?,
            Audience::Approvers => by_role(db, Role::SeaApprover).await?,
            Audience::Administrators => by_role(db, Role::Admin).await?,
        };
        for u in found {
            if !out.iter().any(|o| o.email == u.email) {
                out.push(u);
            }
        }
    }
    out.sort_by(|a, b| a.email.cmp(&b.email));
    Ok(out)
}

async fn by_role<C: ConnectionTrait>(db: &C, role: Role) -> Result<Vec<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::Role.eq(role.as_str()))
        .order_by_asc(user::Column::Email)
        .all(db)
        .await
}

pub fn message_id(case_id: &str, seq: i32, email: &str) -> String {
    let h = hex::encode(Sha256::digest(email.as_bytes()));
    format!("<{case_id}.{seq}.{}@leeway.invalid>", &h[..12])
}

/// Queues the notices of one step (inside the step's transaction).
pub async fn queue<C: ConnectionTrait>(
    db: &C,
    parties: &CaseParties<'_>,
    seq: i32,
    notices: &[Notice],
) -> Result<usize, DbErr> {
    let mut queued = 0;
    for n in notices {
        for u in recipients(db, parties, &n.audience).await? {
            let exists = notification::Entity::find()
                .filter(notification::Column::CaseId.eq(parties.case_id))
                .filter(notification::Column::Seq.eq(seq))
                .filter(notification::Column::RecipientEmail.eq(u.email.as_str()))
                .one(db)
                .await?;
            if exists.is_some() {
                // One email per person per step, even if two notices name them.
                continue;
            }
            notification::ActiveModel {
                case_id: Set(parties.case_id.to_string()),
                seq: Set(seq),
                recipient_user_id: Set(Some(u.id.clone())),
                recipient_email: Set(u.email.clone()),
                subject: Set(n.subject.clone()),
                body: Set(format!(
                    "Dear {},\n\n{}\n\nCase {}.\n-- Leeway",
                    u.name, n.body, parties.case_id
                )),
                status: Set("queued".into()),
                attempts: Set(0),
                message_id: Set(message_id(parties.case_id, seq, &u.email)),
                last_error: Set(None),
                created_at: Set(Utc::now()),
                claimed_at: Set(None),
                sent_at: Set(None),
                possible_duplicate: Set(false),
                ..Default::default()
            }
            .insert(db)
            .await?;
            queued += 1;
        }
    }
    Ok(queued)
}

/// How long a delivery attempt holds its claim on a message. Longer than
/// one SMTP conversation may take, so only an attempt that died loses its
/// claim; short, so a restart resumes delivery within seconds.
pub const CLAIM_LEASE: chrono::Duration = chrono::Duration::seconds(20);

// A send is cut off well inside its claim (see `mailer::SMTP_TIMEOUT`).
const _: () = assert!(crate::mailer::SMTP_TIMEOUT.as_secs() * 2 < 20);

/// What one delivery round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Delivered {
    pub sent: u32,
    /// Not sent this time (the relay is down, or another attempt holds
    /// the message); to be tried again.
    pub failed: u32,
    /// Refused by the relay for good; the administrators are told.
    pub undeliverable: u32,
}

/// A message this attempt holds: its attempt number fences the outcome
/// write, so an attempt that lost its claim cannot overwrite another's.
struct Claim {
    attempt: i32,
    possible_duplicate: bool,
}

/// Claims one message for this attempt: a fresh one, or one whose claim
/// outlived its lease (its attempt died, perhaps after the relay took it:
/// that outcome is unknown, so the message is flagged before it is sent
/// again). Each claim is a compare-and-set on the attempt count. `None`
/// when another attempt holds it or got there first.
async fn claim<C: ConnectionTrait>(
    db: &C,
    n: &notification::Model,
) -> Result<Option<Claim>, DbErr> {
    let now = Utc::now();
    let attempt = n.attempts + 1;
    let fresh = notification::Entity::update_many()
        .col_expr(notification::Column::Status, Expr::value("sending"))
        .col_expr(notification::Column::ClaimedAt, Expr::value(now))
        .col_expr(notification::Column::Attempts, Expr::value(attempt))
        .filter(notification::Column::Id.eq(n.id))
        .filter(notification::Column::Attempts.eq(n.attempts))
        .filter(notification::Column::Status.is_in(["queued", "failed"]))
        .exec(db)
        .await?;
    if fresh.rows_affected == 1 {
        return Ok(Some(Claim {
            attempt,
            possible_duplicate: n.possible_duplicate,
        }));
    }
    let stale = notification::Entity::update_many()
        .col_expr(notification::Column::Status, Expr::value("sending"))
        .col_expr(notification::Column::ClaimedAt, Expr::value(now))
        .col_expr(notification::Column::Attempts, Expr::value(attempt))
        .col_expr(notification::Column::PossibleDuplicate, Expr::value(true))
        .filter(notification::Column::Id.eq(n.id))
        .filter(notification::Column::Attempts.eq(n.attempts))
        .filter(notification::Column::Status.eq("sending"))
        .filter(notification::Column::ClaimedAt.lt(now - CLAIM_LEASE))
        .exec(db)
        .await?;
    Ok((stale.rows_affected == 1).then_some(Claim {
        attempt,
        possible_duplicate: true,
    }))
}

/// Sends every unsent email of a case's steps up to `up_to` (with `None`,
/// all of them) and records each outcome. Each message is claimed before
/// it is sent, so at most one attempt is ever sending it; `heartbeat` is
/// called before each message, so an attempt that dies is noticed within
/// seconds. Messages the relay refuses for good become `undeliverable`;
/// those that failed for now stay `failed`, to be tried again.
pub async fn deliver<C, H, F>(
    db: &C,
    mailer: &Mailer,
    case_id: &str,
    up_to: Option<i32>,
    heartbeat: H,
) -> Result<Delivered, DbErr>
where
    C: ConnectionTrait,
    H: Fn() -> F,
    F: std::future::Future<Output = ()>,
{
    let mut pending = notification::Entity::find().filter(notification::Column::CaseId.eq(case_id));
    if let Some(seq) = up_to {
        pending = pending.filter(notification::Column::Seq.lte(seq));
    }
    let pending = pending
        .filter(notification::Column::Status.is_in(["queued", "failed", "sending"]))
        .order_by_asc(notification::Column::Id)
        .all(db)
        .await?;
    let mut done = Delivered::default();
    for n in pending {
        heartbeat().await;
        let Some(claimed) = claim(db, &n).await? else {
            // Another attempt is sending it right now.
            done.failed += 1;
            continue;
        };
        let result = mailer
            .send(OutgoingEmail {
                to: &n.recipient_email,
                subject: &n.subject,
                body: &n.body,
                message_id: &n.message_id,
                possible_duplicate: claimed.possible_duplicate,
            })
            .await;
        let (status, sent_at, error) = match result {
            Ok(()) => {
                done.sent += 1;
                ("sent", Some(Utc::now()), None)
            }
            Err(e @ MailError::Rejected(_)) | Err(e @ MailError::Address(..)) => {
                done.undeliverable += 1;
                ("undeliverable", None, Some(e.to_string()))
            }
            Err(e) => {
                done.failed += 1;
                ("failed", None, Some(e.to_string()))
            }
        };
        // Only the outcome is written, and only while this attempt still
        // holds the claim (attempts and the flag came with it).
        notification::Entity::update_many()
            .col_expr(notification::Column::Status, Expr::value(status))
            .col_expr(notification::Column::SentAt, Expr::value(sent_at))
            .col_expr(notification::Column::LastError, Expr::value(error))
            .filter(notification::Column::Id.eq(n.id))
            .filter(notification::Column::Attempts.eq(claimed.attempt))
            .filter(notification::Column::Status.eq("sending"))
            .exec(db)
            .await?;
    }
    Ok(done)
}

/// Gives up on a case's emails up to step `seq`: whatever is still unsent becomes
/// `undeliverable`, and each administrator gets one alert listing what did
/// not go out (queued in the outbox, so it is delivered like any email
/// once the relay answers). Idempotent: a repeated call queues nothing new.
pub async fn give_up<C: ConnectionTrait>(
    db: &C,
    case_id: &str,
    seq: i32,
    pending_too: bool,
) -> Result<u32, DbErr> {
    let of_step = || {
        notification::Entity::find()
            .filter(notification::Column::CaseId.eq(case_id))
            .filter(notification::Column::Seq.lte(seq))
    };
    if pending_too {
        notification::Entity::update_many()
            .col_expr(notification::Column::Status, Expr::value("undeliverable"))
            .filter(notification::Column::CaseId.eq(case_id))
            .filter(notification::Column::Seq.lte(seq))
            .filter(notification::Column::Status.is_in(["queued", "failed", "sending"]))
            .exec(db)
            .await?;
    }
    let lost = of_step()
        .filter(notification::Column::Status.eq("undeliverable"))
        .filter(notification::Column::MessageId.not_like("%.alert.%"))
        .order_by_asc(notification::Column::Id)
        .all(db)
        .await?;
    if lost.is_empty() {
        return Ok(0);
    }
    let list: Vec<String> = lost
        .iter()
        .map(|n| {
            format!(
                "- to {}: \"{}\" ({})",
                n.recipient_email,
                n.subject,
                n.last_error
                    .as_deref()
                    .unwrap_or("no answer from the relay")
            )
        })
        .collect();
    tracing::error!(
        case_id,
        seq,
        undelivered = lost.len(),
        "emails could not be delivered; administrators alerted"
    );
    let mut queued = 0;
    // Alerts take the step's number negated: no step has it, so an
    // administrator who also had a notice of the step still gets the alert.
    let alert_seq = -seq.abs();
    for admin in by_role(db, Role::Admin).await? {
        let message_id = alert_message_id(case_id, seq, &admin.email);
        let exists = of_step()
            .filter(notification::Column::MessageId.eq(message_id.as_str()))
            .one(db)
            .await?;
        if exists.is_some() {
            continue;
        }
        notification::ActiveModel {
            case_id: Set(case_id.to_string()),
            seq: Set(alert_seq),
            recipient_user_id: Set(Some(admin.id.clone())),
            recipient_email: Set(admin.email.clone()),
            subject: Set(format!("Leeway could not deliver {} email(s) for {case_id}", lost.len())),
            body: Set(format!(
                "Dear {},\n\nLeeway kept trying for as long as the state profile allows, and these emails of {case_id} (up to step {seq}) did not go out:\n\n{}\n\nCheck the mail relay; once it works, an administrator can send them again with `redeliverNotifications(id: \"{case_id}\")`.\n-- Leeway",
                admin.name,
                list.join("\n")
            )),
            status: Set("queued".into()),
            attempts: Set(0),
            message_id: Set(message_id),
            last_error: Set(None),
            created_at: Set(Utc::now()),
            claimed_at: Set(None),
            sent_at: Set(None),
            possible_duplicate: Set(false),
            ..Default::default()
        }
        .insert(db)
        .await?;
        queued += 1;
    }
    Ok(queued)
}

pub fn alert_message_id(case_id: &str, seq: i32, email: &str) -> String {
    let h = hex::encode(Sha256::digest(email.as_bytes()));
    format!("<{case_id}.{seq}.alert.{}@leeway.invalid>", &h[..12])
}

/// Makes a case's undeliverable emails (not the alerts about them) due
/// again, for an administrator's redelivery.
pub async fn requeue_undeliverable<C: ConnectionTrait>(
    db: &C,
    case_id: &str,
) -> Result<u64, DbErr> {
    Ok(notification::Entity::update_many()
        .col_expr(notification::Column::Status, Expr::value("failed"))
        .filter(notification::Column::CaseId.eq(case_id))
        .filter(notification::Column::Status.eq("undeliverable"))
        .filter(notification::Column::MessageId.not_like("%.alert.%"))
        .exec(db)
        .await?
        .rows_affected)
}

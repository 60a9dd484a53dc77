//! The notification outbox. Transitions queue one row per recipient inside
//! their transaction; the dispatcher (`email_dispatcher`) sends what is
//! due and records each outcome, so a step's email goes out once even when
//! delivery is retried. A message that fails waits longer each time, as
//! the profile's `[notifications]` say, until its retry time runs out.
use crate::email_templates::{
    CaseFacts, Deadline, EmailTemplates, NoticeFacts, Recipient, RenderedEmail, StepFacts,
};
use crate::mailer::{Attachment, MailError, Mailer, OutgoingEmail};
use chrono::Utc;
use futures::{StreamExt, stream};
use leeway_entities::write_turn::in_turn;
use leeway_entities::{case, case_artefact, notification, user, user_role};
use leeway_machines::domain::actor::Role;
use leeway_machines::domain::notification_rules::NotificationRules;
use leeway_machines::engine::notice::{Audience, Notice};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use sha2::{Digest, Sha256};
use tracing::Instrument;

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
                        .filter(holding(&[
                            Role::DistrictApplicant,
                            Role::DistrictAuthorizedRep,
                        ]))
                        .filter(user::Column::DeactivatedAt.is_null())
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
            Audience::Legislators => by_role(db, Role::Legislator).await?,
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

/// People who hold any of `roles`, as their default role or a further one.
fn holding(roles: &[Role]) -> Condition {
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    Condition::any()
        .add(user::Column::Role.is_in(names.clone()))
        .add(
            user::Column::Id.in_subquery(
                Query::select()
                    .column(user_role::Column::UserId)
                    .from(user_role::Entity)
                    .and_where(user_role::Column::Role.is_in(names))
                    .to_owned(),
            ),
        )
}

async fn by_role<C: ConnectionTrait>(db: &C, role: Role) -> Result<Vec<user::Model>, DbErr> {
    user::Entity::find()
        .filter(holding(&[role]))
        .filter(user::Column::DeactivatedAt.is_null())
        .order_by_asc(user::Column::Email)
        .all(db)
        .await
}

pub fn message_id(case_id: &str, seq: i32, email: &str) -> String {
    let h = hex::encode(Sha256::digest(email.as_bytes()));
    format!("<{case_id}.{seq}.{}@leeway.invalid>", &h[..12])
}

/// One step's notices and what their emails may say of the step.
pub struct StepNotices<'a> {
    pub parties: CaseParties<'a>,
    pub seq: i32,
    pub program: &'a str,
    pub title: &'a str,
    pub command: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub reasons: &'a [String],
    pub deadlines: Vec<Deadline>,
    pub notices: &'a [Notice],
}

/// A clock's due time as people read it.
pub fn due_text(at: &chrono::DateTime<Utc>) -> String {
    at.format("%A %-d %B %Y, %H:%M UTC").to_string()
}

/// Queues the notices of one step (inside the step's transaction), each
/// rendered for its recipient as text and HTML.
pub async fn queue<C: ConnectionTrait>(
    db: &C,
    templates: &EmailTemplates,
    step: &StepNotices<'_>,
) -> Result<usize, DbErr> {
    let case_id = step.parties.case_id;
    let mut queued = 0;
    for n in step.notices {
        let mut people: Vec<Addressee> = recipients(db, &step.parties, &n.audience)
            .await?
            .into_iter()
            .map(Addressee::from)
            .collect();
        for address in &n.addresses {
            if !people.iter().any(|p| p.email.eq_ignore_ascii_case(address)) {
                people.push(Addressee {
                    user_id: None,
                    name: address.clone(),
                    email: address.clone(),
                });
            }
        }
        let attachments = (!n.attachments.is_empty())
            .then(|| serde_json::to_string(&n.attachments))
            .transpose()
            .map_err(|e| DbErr::Json(e.to_string()))?;
        for u in people {
            let exists = notification::Entity::find()
                .filter(notification::Column::CaseId.eq(case_id))
                .filter(notification::Column::Seq.eq(step.seq))
                .filter(notification::Column::RecipientEmail.eq(u.email.as_str()))
                .one(db)
                .await?;
            if exists.is_some() {
                // One email per person per step, even if two notices name them.
                continue;
            }
            let email = templates.render(&NoticeFacts {
                program: step.program,
                audience: n.audience.first().copied().unwrap_or(Audience::District),
                subject: &n.subject,
                message: &n.body,
                recipient: Recipient {
                    name: &u.name,
                    email: &u.email,
                },
                case: CaseFacts {
                    id: case_id,
                    title: step.title,
                    program: step.program,
                    state: step.to,
                    link: None,
                },
                step: StepFacts {
                    command: step.command,
                    from_state: step.from,
                    reasons: step.reasons,
                },
                deadlines: step.deadlines.clone(),
                state_name: templates.state_name(),
            });
            let message_id = message_id(case_id, step.seq, &u.email);
            let row = QueuedEmail {
                case_id,
                seq: step.seq,
                message_id,
                attachments: attachments.clone(),
            };
            insert_email(db, row, &u, &email).await?;
            queued += 1;
        }
    }
    Ok(queued)
}

/// Whom one email goes to: a person with an account, or a mailbox no
/// account stands behind (a committee's).
struct Addressee {
    user_id: Option<String>,
    name: String,
    email: String,
}

impl From<user::Model> for Addressee {
    fn from(u: user::Model) -> Self {
        Self {
            user_id: Some(u.id),
            name: u.name,
            email: u.email,
        }
    }
}

/// Where a queued email belongs, and what it carries.
struct QueuedEmail<'a> {
    case_id: &'a str,
    seq: i32,
    message_id: String,
    /// The artefacts' names as a JSON list.
    attachments: Option<String>,
}

/// One email in the outbox, queued for delivery.
async fn insert_email<C: ConnectionTrait>(
    db: &C,
    row: QueuedEmail<'_>,
    to: &Addressee,
    email: &RenderedEmail,
) -> Result<(), DbErr> {
    notification::ActiveModel {
        case_id: Set(row.case_id.to_string()),
        seq: Set(row.seq),
        recipient_user_id: Set(to.user_id.clone()),
        recipient_email: Set(to.email.clone()),
        subject: Set(email.subject.clone()),
        body: Set(email.text.clone()),
        body_html: Set(Some(email.html.clone()).filter(|h| !h.is_empty())),
        // The step's span (the record step's, in a traced command).
        trace_parent: Set(crate::telemetry::current_traceparent()),
        status: Set("queued".into()),
        attempts: Set(0),
        message_id: Set(row.message_id),
        attachments: Set(row.attachments),
        last_error: Set(None),
        created_at: Set(Utc::now()),
        claimed_at: Set(None),
        sent_at: Set(None),
        possible_duplicate: Set(false),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// What sending needs: the relay, the state's retry rules, and the
/// templates administrators' alerts are written with.
pub struct Delivery<'a> {
    pub mailer: &'a Mailer,
    pub rules: &'a NotificationRules,
    pub templates: &'a EmailTemplates,
}

/// How long a delivery attempt holds its claim on a message. Longer than
/// one SMTP conversation may take, so only an attempt that died loses its
/// claim; short, so a restart resumes delivery within seconds.
pub const CLAIM_LEASE: chrono::Duration = chrono::Duration::seconds(20);

// A send is cut off well inside its claim (see `mailer::SMTP_TIMEOUT`).
const _: () = assert!(crate::mailer::SMTP_TIMEOUT.as_secs() * 2 < 20);

/// What one pass over the outbox did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: u32,
    /// Not sent this time (the relay is down, or another attempt holds
    /// the message); to be tried again.
    pub failed: u32,
    /// Refused by the relay for good, or still failing when the profile's
    /// retry time ran out; the administrators are told.
    pub undeliverable: u32,
}

impl Delivered {
    fn add(&mut self, attempt: Attempt) {
        match attempt {
            Attempt::Sent => self.sent += 1,
            Attempt::Failed | Attempt::Busy => self.failed += 1,
            Attempt::Undeliverable | Attempt::OutOfTime => self.undeliverable += 1,
        }
    }

    pub fn tried(&self) -> u32 {
        self.sent + self.failed + self.undeliverable
    }
}

/// What became of one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Attempt {
    Sent,
    /// Failed for now; due again after a wait.
    Failed,
    /// Another attempt holds it.
    Busy,
    /// Refused for good.
    Undeliverable,
    /// Still failing when the retry time ran out.
    OutOfTime,
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

/// The wait before the next try after `failures` failed attempts:
/// doubling from the profile's first retry, up to its longest wait.
pub fn retry_wait(rules: &NotificationRules, failures: u32) -> std::time::Duration {
    let first = rules.first_retry.seconds().max(1);
    let wait = first.saturating_mul(1u64 << failures.saturating_sub(1).min(30));
    std::time::Duration::from_secs(wait.min(rules.longest_wait.seconds().max(first)))
}

/// The artefacts an email names, read when it is sent: the outbox row
/// holds names, not copies.
async fn attachments(
    db: &DatabaseConnection,
    n: &notification::Model,
) -> Result<Vec<Attachment>, DbErr> {
    let Some(names) = &n.attachments else {
        return Ok(Vec::new());
    };
    let names: Vec<String> = serde_json::from_str(names).map_err(|e| DbErr::Json(e.to_string()))?;
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let file = case_artefact::Entity::find_by_id((n.case_id.clone(), name.clone()))
            .one(db)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("artefact {name} of {}", n.case_id)))?;
        out.push(Attachment {
            filename: file.name,
            content_type: file.content_type,
            bytes: file.bytes,
        });
    }
    Ok(out)
}

fn is_alert(n: &notification::Model) -> bool {
    n.message_id.contains(".alert.")
}

/// Claims, sends and records one message. Only the outcome is written,
/// and only while this attempt still holds the claim. A message that
/// becomes undeliverable has the administrators alerted (not for an
/// alert: nobody is alerted about an alert).
async fn deliver_one(
    db: &DatabaseConnection,
    delivery: &Delivery<'_>,
    n: &notification::Model,
) -> Result<Attempt, DbErr> {
    let span = tracing::info_span!("send email", case = %n.case_id, step = n.seq);
    crate::telemetry::continue_trace(&span, n.trace_parent.as_deref());
    deliver_claimed(db, delivery, n).instrument(span).await
}

async fn deliver_claimed(
    db: &DatabaseConnection,
    delivery: &Delivery<'_>,
    n: &notification::Model,
) -> Result<Attempt, DbErr> {
    let rules = delivery.rules;
    let Some(claimed) = in_turn(db, claim(db, n)).await? else {
        return Ok(Attempt::Busy);
    };
    let attachments = attachments(db, n).await?;
    let result = delivery
        .mailer
        .send(OutgoingEmail {
            to: &n.recipient_email,
            subject: &n.subject,
            body: &n.body,
            html: n.body_html.as_deref(),
            message_id: &n.message_id,
            possible_duplicate: claimed.possible_duplicate,
            attachments: &attachments,
        })
        .await;
    let now = Utc::now();
    let since = n.failing_since.unwrap_or(now);
    let (attempt, status, error) = match result {
        Ok(()) => (Attempt::Sent, "sent", None),
        Err(e @ MailError::Rejected(_)) | Err(e @ MailError::Address(..)) => {
            (Attempt::Undeliverable, "undeliverable", Some(e.to_string()))
        }
        Err(e) if now - since >= rules.retry_for.chrono() => {
            (Attempt::OutOfTime, "undeliverable", Some(e.to_string()))
        }
        Err(e) => (Attempt::Failed, "failed", Some(e.to_string())),
    };
    let failing = attempt != Attempt::Sent;
    let next = (attempt == Attempt::Failed).then(|| {
        let failures = u32::try_from(claimed.attempt).unwrap_or(1);
        now + chrono::Duration::from_std(retry_wait(rules, failures)).unwrap_or_default()
    });
    let outcome = notification::Entity::update_many()
        .col_expr(notification::Column::Status, Expr::value(status))
        .col_expr(
            notification::Column::SentAt,
            Expr::value((attempt == Attempt::Sent).then_some(now)),
        )
        .col_expr(notification::Column::LastError, Expr::value(error))
        .col_expr(notification::Column::NextAttemptAt, Expr::value(next))
        .col_expr(
            notification::Column::FailingSince,
            Expr::value(failing.then_some(since)),
        )
        .filter(notification::Column::Id.eq(n.id))
        .filter(notification::Column::Attempts.eq(claimed.attempt))
        .filter(notification::Column::Status.eq("sending"))
        .exec(db);
    in_turn(db, outcome).await?;
    if matches!(attempt, Attempt::Undeliverable | Attempt::OutOfTime) && !is_alert(n) {
        give_up(
            db,
            delivery.templates,
            &n.case_id,
            n.seq,
            attempt == Attempt::OutOfTime,
        )
        .await?;
    }
    Ok(attempt)
}

/// Sends messages one after another, in the order given.
async fn deliver_in_order(
    db: &DatabaseConnection,
    delivery: &Delivery<'_>,
    messages: &[notification::Model],
) -> Result<Delivered, DbErr> {
    let mut done = Delivered::default();
    for n in messages {
        done.add(deliver_one(db, delivery, n).await?);
    }
    Ok(done)
}

/// Every unsent email of one case, now, whatever its wait (an
/// administrator's redelivery).
pub async fn deliver_case(
    db: &DatabaseConnection,
    delivery: &Delivery<'_>,
    case_id: &str,
) -> Result<Delivered, DbErr> {
    let pending = notification::Entity::find()
        .filter(notification::Column::CaseId.eq(case_id))
        .filter(notification::Column::Status.is_in(["queued", "failed", "sending"]))
        .order_by_asc(notification::Column::Id)
        .all(db)
        .await?;
    deliver_in_order(db, delivery, &pending).await
}

/// Messages due now: new ones, failed ones whose wait is over, and ones
/// whose attempt died (a claim past its lease). The oldest first.
async fn due<C: ConnectionTrait>(db: &C, limit: u64) -> Result<Vec<notification::Model>, DbErr> {
    let now = Utc::now();
    notification::Entity::find()
        .filter(
            Condition::any()
                .add(notification::Column::Status.eq("queued"))
                .add(
                    Condition::all()
                        .add(notification::Column::Status.eq("failed"))
                        .add(
                            Condition::any()
                                .add(notification::Column::NextAttemptAt.is_null())
                                .add(notification::Column::NextAttemptAt.lte(now)),
                        ),
                )
                .add(
                    Condition::all()
                        .add(notification::Column::Status.eq("sending"))
                        .add(notification::Column::ClaimedAt.lt(now - CLAIM_LEASE)),
                ),
        )
        .order_by_asc(notification::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// One pass over what is due, at most `limit` messages: cases side by
/// side (`cases_at_once` of them), each case's messages in the order its
/// steps queued them, so one slow recipient holds up no other case.
pub async fn deliver_due(
    db: &DatabaseConnection,
    delivery: &Delivery<'_>,
    limit: u64,
    cases_at_once: usize,
) -> Result<Delivered, DbErr> {
    let mut by_case: Vec<(String, Vec<notification::Model>)> = Vec::new();
    for n in due(db, limit).await? {
        match by_case.iter_mut().find(|(case, _)| *case == n.case_id) {
            Some((_, list)) => list.push(n),
            None => by_case.push((n.case_id.clone(), vec![n])),
        }
    }
    let passes: Vec<Result<Delivered, DbErr>> = stream::iter(by_case)
        .map(|(_, messages)| async move { deliver_in_order(db, delivery, &messages).await })
        .buffer_unordered(cases_at_once.max(1))
        .collect()
        .await;
    let mut done = Delivered::default();
    for pass in passes {
        let pass = pass?;
        done.sent += pass.sent;
        done.failed += pass.failed;
        done.undeliverable += pass.undeliverable;
    }
    Ok(done)
}

/// Gives up on a case's emails up to step `seq`: whatever is still unsent becomes
/// `undeliverable`, and each administrator gets one alert listing what did
/// not go out (queued in the outbox, so it is delivered like any email
/// once the relay answers). Idempotent: a repeated call queues nothing new.
pub async fn give_up<C: ConnectionTrait>(
    db: &C,
    templates: &EmailTemplates,
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
            // Alerts (at negated step numbers) keep their own retry time.
            .filter(notification::Column::Seq.gt(0))
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
    let case = case::Entity::find_by_id(case_id).one(db).await?;
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
        let subject = format!(
            "Leeway could not deliver {} email(s) for {case_id}",
            lost.len()
        );
        let message = format!(
            "Leeway kept trying for as long as the state profile allows, and these emails of {case_id} (up to step {seq}) did not go out:\n\n{}\n\nCheck the mail relay; once it works, an administrator can send them again with `redeliverNotifications(id: \"{case_id}\")`.",
            list.join("\n")
        );
        let email = templates.render(&NoticeFacts {
            program: "leeway",
            audience: Audience::Administrators,
            subject: &subject,
            message: &message,
            recipient: Recipient {
                name: &admin.name,
                email: &admin.email,
            },
            case: CaseFacts {
                id: case_id,
                title: case.as_ref().map_or(case_id, |c| c.title.as_str()),
                program: case.as_ref().map_or("", |c| c.program.as_str()),
                state: case.as_ref().map_or("", |c| c.state.as_str()),
                link: None,
            },
            step: StepFacts {
                command: "delivery_failed",
                from_state: "",
                reasons: &[],
            },
            deadlines: Vec::new(),
            state_name: templates.state_name(),
        });
        let row = QueuedEmail {
            case_id,
            seq: alert_seq,
            message_id,
            attachments: None,
        };
        insert_email(db, row, &Addressee::from(admin), &email).await?;
        queued += 1;
    }
    Ok(queued)
}

pub fn alert_message_id(case_id: &str, seq: i32, email: &str) -> String {
    let h = hex::encode(Sha256::digest(email.as_bytes()));
    format!("<{case_id}.{seq}.alert.{}@leeway.invalid>", &h[..12])
}

/// Makes a case's undeliverable emails (not the alerts about them) due
/// again, with a fresh retry time, for an administrator's redelivery.
pub async fn requeue_undeliverable<C: ConnectionTrait>(
    db: &C,
    case_id: &str,
) -> Result<u64, DbErr> {
    Ok(notification::Entity::update_many()
        .col_expr(notification::Column::Status, Expr::value("failed"))
        .col_expr(
            notification::Column::NextAttemptAt,
            Expr::value(None::<chrono::DateTime<Utc>>),
        )
        .col_expr(
            notification::Column::FailingSince,
            Expr::value(None::<chrono::DateTime<Utc>>),
        )
        .filter(notification::Column::CaseId.eq(case_id))
        .filter(notification::Column::Status.eq("undeliverable"))
        .filter(notification::Column::MessageId.not_like("%.alert.%"))
        .exec(db)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use leeway_machines::domain::duration::ClockDuration;

    #[test]
    fn retry_waits_double_from_the_first_up_to_the_longest() {
        let rules = NotificationRules {
            retry_for: ClockDuration::days(3),
            first_retry: ClockDuration::from_seconds(10),
            longest_wait: ClockDuration::from_seconds(3_600),
        };
        let waits: Vec<u64> = [1, 2, 3, 4, 9, 10, 40]
            .iter()
            .map(|f| retry_wait(&rules, *f).as_secs())
            .collect();
        assert_eq!(waits, [10, 20, 40, 80, 2_560, 3_600, 3_600]);
    }
}

//! The notification outbox. Transitions queue one row per recipient inside
//! their transaction; delivery sends what is not yet sent and records the
//! outcome, so a step's email goes out once even when delivery is retried.
use crate::mailer::{Mailer, OutgoingEmail};
use chrono::Utc;
use leeway_entities::{notification, user};
use leeway_machines::domain::actor::Role;
use leeway_machines::engine::notice::{Audience, Notice};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, Set,
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
                ..Default::default()
            }
            .insert(db)
            .await?;
            queued += 1;
        }
    }
    Ok(queued)
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("{failed} of {total} emails for {case_id} failed: {first_error}")]
    Failed {
        case_id: String,
        failed: usize,
        total: usize,
        first_error: String,
    },
}

/// A claim older than a delivery attempt may live belongs to an attempt
/// that died; it may be taken over.
const STALE_CLAIM: chrono::Duration = chrono::Duration::minutes(5);

/// Sends every unsent email of one step (or, with `seq` `None`, of the
/// whole case) and records each outcome. Each row
/// is claimed before it is sent, so two overlapping attempts (a timed-out
/// one still running and its retry) never send the same email.
pub async fn deliver<C: ConnectionTrait>(
    db: &C,
    mailer: &Mailer,
    case_id: &str,
    seq: Option<i32>,
) -> Result<usize, DeliveryError> {
    let mut pending = notification::Entity::find().filter(notification::Column::CaseId.eq(case_id));
    if let Some(seq) = seq {
        pending = pending.filter(notification::Column::Seq.eq(seq));
    }
    let pending = pending
        .filter(notification::Column::Status.ne("sent"))
        .order_by_asc(notification::Column::Id)
        .all(db)
        .await?;
    let total = pending.len();
    let mut errors = Vec::new();
    let mut sent = 0;
    for n in pending {
        let now = Utc::now();
        let claimable = Condition::any()
            .add(notification::Column::Status.is_in(["queued", "failed"]))
            .add(
                Condition::all()
                    .add(notification::Column::Status.eq("sending"))
                    .add(notification::Column::ClaimedAt.lt(now - STALE_CLAIM)),
            );
        let claimed = notification::Entity::update_many()
            .col_expr(notification::Column::Status, Expr::value("sending"))
            .col_expr(notification::Column::ClaimedAt, Expr::value(now))
            .col_expr(notification::Column::Attempts, Expr::value(n.attempts + 1))
            .filter(notification::Column::Id.eq(n.id))
            .filter(claimable)
            .exec(db)
            .await?;
        if claimed.rows_affected != 1 {
            errors.push(format!(
                "{} is being sent by an earlier attempt",
                n.recipient_email
            ));
            continue;
        }
        let result = mailer
            .send(OutgoingEmail {
                to: &n.recipient_email,
                subject: &n.subject,
                body: &n.body,
                message_id: &n.message_id,
            })
            .await;
        let mut row: notification::ActiveModel = n.into();
        match result {
            Ok(()) => {
                row.status = Set("sent".into());
                row.sent_at = Set(Some(Utc::now()));
                row.last_error = Set(None);
                sent += 1;
            }
            Err(e) => {
                row.status = Set("failed".into());
                row.last_error = Set(Some(e.to_string()));
                errors.push(e.to_string());
            }
        }
        // Only the fields changed here are written; attempts came from the claim.
        row.attempts = sea_orm::ActiveValue::NotSet;
        row.claimed_at = sea_orm::ActiveValue::NotSet;
        row.update(db).await?;
    }
    if errors.is_empty() {
        Ok(sent)
    } else {
        Err(DeliveryError::Failed {
            case_id: case_id.to_string(),
            failed: errors.len(),
            total,
            first_error: errors.remove(0),
        })
    }
}

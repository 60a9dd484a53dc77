//! Delivers the command outbox: each queued command becomes an update on
//! the receiving case's workflow, with the update id its step derived, so
//! a redelivery is a duplicate that Temporal (and the receiving host)
//! drops. A command the receiver refuses is marked refused, not retried.
use crate::programs::{self, SendError};
use chrono::Utc;
use leeway_entities::case_command;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use temporalio_client::Client;

#[derive(Debug, thiserror::Error)]
pub enum CommandDeliveryError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("{0} commands could not be delivered yet: {1}")]
    NotYet(usize, String),
}

pub async fn deliver_commands<C: ConnectionTrait>(
    db: &C,
    temporal: &Client,
    case_id: &str,
    seq: i32,
) -> Result<usize, CommandDeliveryError> {
    let pending = case_command::Entity::find()
        .filter(case_command::Column::FromCase.eq(case_id))
        .filter(case_command::Column::FromSeq.eq(seq))
        .filter(case_command::Column::Status.eq("queued"))
        .order_by_asc(case_command::Column::Id)
        .all(db)
        .await?;
    let mut delivered = 0;
    let mut failed = Vec::new();
    for row in pending {
        let result = programs::send_command(
            temporal,
            &row.program,
            &row.to_case,
            &row.command,
            &row.update_id,
        )
        .await;
        let (status, error) = match result {
            Ok(_) => {
                delivered += 1;
                ("delivered", None)
            }
            Err(SendError::Refused(reason)) => {
                tracing::warn!(to = %row.to_case, update = %row.update_id, %reason, "a case refused a command from another case");
                ("refused", Some(reason))
            }
            Err(SendError::NotYet(reason)) => {
                failed.push(reason.clone());
                ("queued", Some(reason))
            }
        };
        case_command::Entity::update_many()
            .col_expr(case_command::Column::Status, Expr::value(status))
            .col_expr(case_command::Column::LastError, Expr::value(error))
            .col_expr(
                case_command::Column::Attempts,
                Expr::col(case_command::Column::Attempts).add(1),
            )
            .col_expr(
                case_command::Column::DeliveredAt,
                Expr::value((status != "queued").then(Utc::now)),
            )
            .filter(case_command::Column::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    if failed.is_empty() {
        Ok(delivered)
    } else {
        Err(CommandDeliveryError::NotYet(failed.len(), failed.remove(0)))
    }
}

//! Email is sent by a dispatcher beside the worker, not by an activity in
//! each case's workflow: each message carries when it is next due and
//! since when it has been failing, so its retries and the time after
//! which it is given up on are its own.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn n(s: &str) -> Alias {
    Alias::new(s)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["next_attempt_at", "failing_since"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(n("notifications"))
                        .add_column(timestamp_with_time_zone_null(n(column)))
                        .to_owned(),
                )
                .await?;
        }
        // The dispatcher asks for what is unsent and due, in order.
        manager
            .create_index(
                Index::create()
                    .name("idx_notifications_status_id")
                    .table(n("notifications"))
                    .col(n("status"))
                    .col(n("id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_notifications_status_id")
                    .table(n("notifications"))
                    .to_owned(),
            )
            .await?;
        for column in ["next_attempt_at", "failing_since"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(n("notifications"))
                        .drop_column(n(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

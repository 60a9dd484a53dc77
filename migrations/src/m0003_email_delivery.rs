//! Email delivery that survives a crash and an outage: a message resent
//! because its first outcome was unknown is flagged as a possible
//! duplicate (the only kind of message that may arrive twice).
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("notifications"))
                    .add_column(boolean(Alias::new("possible_duplicate")).default(false))
                    .to_owned(),
            )
            .await?;
        // Emails the old delivery gave up on stay given up on: a later step
        // must not send them weeks late. Staff can still redeliver them.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE notifications SET status = 'undeliverable' WHERE status = 'failed'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("notifications"))
                    .drop_column(Alias::new("possible_duplicate"))
                    .to_owned(),
            )
            .await
    }
}

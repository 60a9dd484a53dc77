//! Every email is multipart: the HTML part is rendered when the step is
//! recorded, beside the plain text, and kept with it (an export shows
//! exactly what was sent). Emails queued before have none and go out as
//! plain text.
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
                    .add_column(text_null(Alias::new("body_html")))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("notifications"))
                    .drop_column(Alias::new("body_html"))
                    .to_owned(),
            )
            .await
    }
}

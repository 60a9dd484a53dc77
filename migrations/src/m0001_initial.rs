//! The first schema: tables from the entity definitions, plus the unique
//! indexes that make activities idempotent and the audit chain fork-free.
use leeway_entities::{all::*, audit_entry, case_deadline, notification, waiver_item};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{EntityName, EntityTrait, Schema};

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn create<E: EntityTrait>(manager: &SchemaManager<'_>, entity: E) -> Result<(), DbErr> {
    let schema = Schema::new(manager.get_database_backend());
    manager
        .create_table(
            schema
                .create_table_from_entity(entity)
                .if_not_exists()
                .to_owned(),
        )
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create(manager, Organisation).await?;
        create(manager, User).await?;
        create(manager, ApiToken).await?;
        create(manager, Provision).await?;
        create(manager, WaiverCase).await?;
        create(manager, WaiverItem).await?;
        create(manager, WaiverSnapshot).await?;
        create(manager, AuditEntry).await?;
        create(manager, AuditHead).await?;
        create(manager, Notification).await?;
        create(manager, CaseDeadline).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_audit_chain_seq")
                    .table(AuditEntry)
                    .col(audit_entry::Column::Chain)
                    .col(audit_entry::Column::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_notification_step_recipient")
                    .table(Notification)
                    .col(notification::Column::CaseId)
                    .col(notification::Column::Seq)
                    .col(notification::Column::RecipientEmail)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_waiver_items_case")
                    .table(WaiverItem)
                    .col(waiver_item::Column::CaseId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_case_deadlines_case")
                    .table(CaseDeadline)
                    .col(case_deadline::Column::CaseId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CaseDeadline.table_ref(),
            Notification.table_ref(),
            AuditHead.table_ref(),
            AuditEntry.table_ref(),
            WaiverSnapshot.table_ref(),
            WaiverItem.table_ref(),
            WaiverCase.table_ref(),
            Provision.table_ref(),
            ApiToken.table_ref(),
            User.table_ref(),
            Organisation.table_ref(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

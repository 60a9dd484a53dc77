//! The annual report: each report's read model, its numbered drafts (the
//! document as printed, and the figures it was made from), the files a
//! case produced (a draft's PDF, CSV and JSON), and the attachments an
//! email carries, by the name of such a file; each waiver's yearly
//! progress reports. A waiver's reach (who
//! applied, and the schools or district it covers) joins the waiver's read
//! model so the report can count schools and students in SQL.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn n(name: &'static str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Table::create()
                .table(n("annual_reports"))
                .col(string(n("case_id")).primary_key())
                .col(integer(n("year")))
                .col(string(n("label")))
                .col(integer_null(n("certified_version")))
                .col(string_null(n("certified_by")))
                .col(timestamp_with_time_zone_null(n("certified_at")))
                .col(text(n("detail")))
                .to_owned(),
            Table::create()
                .table(n("report_drafts"))
                .col(string(n("case_id")))
                .col(integer(n("version")))
                .col(integer(n("figures_version")))
                .col(timestamp_with_time_zone(n("made_at")))
                .col(string(n("made_by")))
                .col(text(n("figures")))
                .col(text(n("document")))
                .primary_key(Index::create().col(n("case_id")).col(n("version")))
                .to_owned(),
            Table::create()
                .table(n("case_artefacts"))
                .col(string(n("case_id")))
                .col(string(n("name")))
                .col(string(n("content_type")))
                .col(string(n("sha256")))
                .col(blob(n("bytes")))
                .col(timestamp_with_time_zone(n("created_at")))
                .primary_key(Index::create().col(n("case_id")).col(n("name")))
                .to_owned(),
            Table::create()
                .table(n("progress_reports"))
                .col(string(n("case_id")).primary_key())
                .col(string(n("waiver_id")))
                .col(string(n("district_id")))
                .col(integer(n("year")))
                .col(text(n("detail")))
                .to_owned(),
            Table::create()
                .table(n("waiver_reach"))
                .col(string(n("case_id")))
                .col(string(n("organisation_id")))
                .primary_key(Index::create().col(n("case_id")).col(n("organisation_id")))
                .to_owned(),
        ] {
            manager.create_table(table).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(n("waiver_requests"))
                    .add_column(string_null(n("applicant_kind")))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(n("notifications"))
                    .add_column(text_null(n("attachments")))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(n("notifications"))
                    .drop_column(n("attachments"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(n("waiver_requests"))
                    .drop_column(n("applicant_kind"))
                    .to_owned(),
            )
            .await?;
        for table in [
            "progress_reports",
            "waiver_reach",
            "case_artefacts",
            "report_drafts",
            "annual_reports",
        ] {
            manager
                .drop_table(Table::drop().table(n(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

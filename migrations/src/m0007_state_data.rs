//! A state's own data, loaded from its files (`leeway import`): each
//! organisation's enrollment by school year with subgroup counts and the
//! equity flags grant priority uses, accountability results by school and
//! year for the annual report's before-and-since, the further roles a
//! person holds beyond their default one, and the ties (a former employer,
//! a board seat) that recuse a reviewer.
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
        manager
            .alter_table(
                Table::alter()
                    .table(n("organisations"))
                    .add_column(text(n("equity_flags")).default("[]"))
                    .to_owned(),
            )
            .await?;
        for table in [
            Table::create()
                .table(n("organisation_enrollments"))
                .col(string(n("organisation_id")))
                .col(integer(n("school_year")))
                .col(integer(n("total")))
                .col(integer_null(n("students_in_poverty")))
                .col(text(n("subgroups")))
                .primary_key(
                    Index::create()
                        .col(n("organisation_id"))
                        .col(n("school_year")),
                )
                .to_owned(),
            Table::create()
                .table(n("accountability_results"))
                .col(string(n("organisation_id")))
                .col(integer(n("school_year")))
                .col(string(n("subject")))
                .col(string_null(n("performance_rating")))
                .col(double_null(n("mean_scale_score")))
                .col(double_null(n("median_growth")))
                .primary_key(
                    Index::create()
                        .col(n("organisation_id"))
                        .col(n("school_year"))
                        .col(n("subject")),
                )
                .to_owned(),
            Table::create()
                .table(n("user_roles"))
                .col(string(n("user_id")))
                .col(string(n("role")))
                .primary_key(Index::create().col(n("user_id")).col(n("role")))
                .to_owned(),
            Table::create()
                .table(n("user_affiliations"))
                .col(string(n("user_id")))
                .col(string(n("organisation_id")))
                .col(string(n("kind")))
                .primary_key(
                    Index::create()
                        .col(n("user_id"))
                        .col(n("organisation_id"))
                        .col(n("kind")),
                )
                .to_owned(),
        ] {
            manager.create_table(table).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "user_affiliations",
            "user_roles",
            "accountability_results",
            "organisation_enrollments",
        ] {
            manager
                .drop_table(Table::drop().table(n(table)).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(n("organisations"))
                    .drop_column(n("equity_flags"))
                    .to_owned(),
            )
            .await
    }
}

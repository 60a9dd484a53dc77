//! Grants: each appropriation's ledger, whose buckets always add up to
//! what was appropriated (the database checks it too, so no bug can write
//! a ledger that does not balance), and the read models of grant programs
//! and of each district's grant.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn n(name: &'static str) -> Alias {
    Alias::new(name)
}

fn c(name: &'static str) -> Expr {
    Expr::col(n(name))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let balanced = c("available")
            .gte(0)
            .and(c("committed").gte(0))
            .and(c("disbursed").gte(0))
            .and(c("lapsed").gte(0))
            .and(
                c("appropriated").eq(c("available")
                    .add(c("committed"))
                    .add(c("disbursed"))
                    .add(c("lapsed"))),
            );
        for table in [
            Table::create()
                .table(n("ledgers"))
                .col(string(n("id")).primary_key())
                .col(string(n("label")))
                .col(big_integer(n("appropriated")))
                .col(big_integer(n("available")))
                .col(big_integer(n("committed")))
                .col(big_integer(n("disbursed")))
                .col(big_integer(n("lapsed")))
                .col(timestamp_with_time_zone_null(n("closed_at")))
                .col(timestamp_with_time_zone(n("updated_at")))
                .check(balanced)
                .to_owned(),
            Table::create()
                .table(n("grant_programs"))
                .col(string(n("code")).primary_key())
                .col(string(n("case_id")))
                .col(string(n("name")))
                .col(string(n("phase")))
                .col(string_null(n("follows")))
                .col(string(n("ledger_id")))
                .col(timestamp_with_time_zone(n("window_opens")))
                .col(timestamp_with_time_zone(n("window_closes")))
                .col(text(n("terms")))
                .to_owned(),
            Table::create()
                .table(n("grant_cases"))
                .col(string(n("case_id")).primary_key())
                .col(string(n("program")))
                .col(string(n("organisation_id")))
                .col(big_integer(n("requested")))
                .col(big_integer_null(n("awarded")))
                .col(big_integer(n("paid")))
                .col(big_integer(n("pending")))
                .col(big_integer_null(n("mean_centipoints")))
                .col(big_integer_null(n("total_centipoints")))
                .col(integer_null(n("equity_points")))
                .col(boolean(n("disagreement")))
                .col(integer(n("students_served")))
                .col(timestamp_with_time_zone_null(n("submitted_at")))
                .col(timestamp_with_time_zone_null(n("accepted_at")))
                .col(text(n("panel")))
                .col(text(n("detail")))
                .to_owned(),
        ] {
            manager.create_table(table).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("grant_cases_program")
                    .table(n("grant_cases"))
                    .col(n("program"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["grant_cases", "grant_programs", "ledgers"] {
            manager
                .drop_table(Table::drop().table(n(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

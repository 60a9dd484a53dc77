//! The audit trail made verifiable as a whole: each entry records the hash
//! of the case's records after its step (so edits to what the API serves
//! are caught); an insert-only register of every chain's heads, and tree
//! heads sealed over it from time to time (a Merkle tree in the manner of
//! RFC 6962, each tree head chained to the last), so a chain removed
//! outright is caught. Entries written before this get register rows.
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
                    .table(n("audit_entries"))
                    .add_column(string_null(n("state_hash")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(n("audit_head_log"))
                    .col(big_integer(n("id")).auto_increment().primary_key())
                    .col(string(n("chain")))
                    .col(integer(n("seq")))
                    .col(string(n("hash")))
                    .col(timestamp_with_time_zone(n("at")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_audit_head_log_chain_seq")
                    .table(n("audit_head_log"))
                    .col(n("chain"))
                    .col(n("seq"))
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(n("audit_tree_heads"))
                    .col(big_integer(n("tree_size")).primary_key())
                    .col(big_integer(n("last_log_id")))
                    .col(string(n("root")))
                    .col(string(n("prev_hash")))
                    .col(string(n("hash")))
                    .col(timestamp_with_time_zone(n("at")))
                    .to_owned(),
            )
            .await?;
        // Two sealers at once must not fork the chain of tree heads.
        manager
            .create_index(
                Index::create()
                    .name("ux_audit_tree_heads_prev")
                    .table(n("audit_tree_heads"))
                    .col(n("prev_hash"))
                    .unique()
                    .to_owned(),
            )
            .await?;
        let carry = "INSERT INTO audit_head_log (chain, seq, hash, at) \
                     SELECT chain, seq, hash, at FROM audit_entries ORDER BY id";
        manager.get_connection().execute_unprepared(carry).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["audit_tree_heads", "audit_head_log"] {
            manager
                .drop_table(Table::drop().table(n(table)).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(n("audit_entries"))
                    .drop_column(n("state_hash"))
                    .to_owned(),
            )
            .await
    }
}

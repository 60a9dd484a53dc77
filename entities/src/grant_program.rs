//! The grants program's read model of one grant program, beside the case
//! header: what lists and applications need without replaying the case.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "grant_programs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub case_id: String,
    pub name: String,
    pub phase: String,
    pub follows: Option<String>,
    pub ledger_id: String,
    pub window_opens: DateTimeUtc,
    pub window_closes: DateTimeUtc,
    /// The program's terms with the state's grant rules, as JSON: what each
    /// application opens under.
    #[sea_orm(column_type = "Text")]
    pub terms: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

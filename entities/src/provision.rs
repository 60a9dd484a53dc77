//! The provision catalog: sections of statute or rule a request may cite.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "provisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub citation: String,
    pub title: String,
    pub category: String,
    pub waivable: bool,
    /// Why a provision may not be waived; `None` when it may.
    pub non_waivable_reason: Option<String>,
    pub effective_from: Date,
    pub effective_to: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

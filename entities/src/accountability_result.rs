//! A school's (or district's) results in the state's accountability
//! system for one school year and subject; the annual report compares
//! them before and since an innovation.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "accountability_results")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub organisation_id: String,
    /// The calendar year the school year ends in.
    #[sea_orm(primary_key, auto_increment = false)]
    pub school_year: i32,
    /// `overall`, `reading`, `mathematics`…, as the state names them.
    #[sea_orm(primary_key, auto_increment = false)]
    pub subject: String,
    /// The state's own rating words, e.g. "Green" or "3 stars".
    pub performance_rating: Option<String>,
    pub mean_scale_score: Option<f64>,
    /// Median student growth (a percentile, or the state's growth index).
    pub median_growth: Option<f64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! Keyset paging over case headers, newest first: stable while new cases
//! arrive, unlike an offset.
use crate::error::ApiError;
use async_graphql::connection::{Connection, CursorType, Edge, EmptyFields};
use chrono::{DateTime, SecondsFormat, Utc};
use leeway_entities::case;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, QueryFilter, QueryOrder, QuerySelect, Select,
};

pub const MAX_PAGE: usize = 100;
/// The page size when a client names none.
pub const DEFAULT_PAGE: usize = 20;

/// A page of cases of one program, as the list queries answer it.
pub type CaseConnection<V> = Connection<CaseCursor, V, EmptyFields, EmptyFields>;
/// One case in a page, with its cursor.
pub type CaseEdge<V> = Edge<CaseCursor, V, EmptyFields>;

/// A page costs its size times its selection, so `first: 100` with deep
/// nesting is weighed as the hundred cases it reads.
pub fn page_complexity(first: Option<i32>, child_complexity: usize) -> usize {
    let size = first.map_or(DEFAULT_PAGE, |f| (f.max(0) as usize).min(MAX_PAGE));
    1 + size.max(1) * child_complexity
}

pub struct CaseCursor {
    created_at: DateTime<Utc>,
    id: String,
}

impl CursorType for CaseCursor {
    type Error = String;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bad = || {
            "This page cursor is not one Leeway gave out; start from the first page.".to_string()
        };
        let text = hex::decode(s)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(bad)?;
        let (at, id) = text.split_once('|').ok_or_else(bad)?;
        let created_at = DateTime::parse_from_rfc3339(at)
            .map_err(|_| bad())?
            .with_timezone(&Utc);
        Ok(CaseCursor {
            created_at,
            id: id.to_string(),
        })
    }

    fn encode_cursor(&self) -> String {
        hex::encode(format!(
            "{}|{}",
            self.created_at.to_rfc3339_opts(SecondsFormat::Nanos, true),
            self.id
        ))
    }
}

impl CaseCursor {
    pub fn of(c: &case::Model) -> Self {
        Self {
            created_at: c.created_at,
            id: c.id.clone(),
        }
    }
}

pub fn check_first(first: Option<i32>) -> Result<(), ApiError> {
    if first.is_some_and(|f| f < 0 || f as usize > MAX_PAGE) {
        return Err(ApiError::Validation(format!(
            "`first` must be between 0 and {MAX_PAGE}."
        )));
    }
    Ok(())
}

/// One page of `select` after `after`; and whether more follow.
pub async fn page(
    db: &DatabaseConnection,
    mut select: Select<case::Entity>,
    after: Option<&CaseCursor>,
    first: Option<usize>,
) -> Result<(Vec<case::Model>, bool), ApiError> {
    if let Some(c) = after {
        select = select.filter(
            Condition::any()
                .add(case::Column::CreatedAt.lt(c.created_at))
                .add(
                    Condition::all()
                        .add(case::Column::CreatedAt.eq(c.created_at))
                        .add(case::Column::Id.lt(c.id.as_str())),
                ),
        );
    }
    let take = first.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE);
    let mut rows = select
        .order_by_desc(case::Column::CreatedAt)
        .order_by_desc(case::Column::Id)
        .limit(take as u64 + 1)
        .all(db)
        .await?;
    let more = rows.len() > take;
    rows.truncate(take);
    Ok((rows, more))
}

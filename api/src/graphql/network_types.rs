//! How learning networks read in GraphQL: a district's membership (a
//! `Case`), the network's own case (a `Case`, for the SEA), and the public
//! view of a network with its members.
use super::app;
use super::case_commands::CaseView;
use super::case_loaders::{QueueOf, records};
use super::case_types::CaseCore;
use super::content_types::NetworkApplicationView;
use crate::case_interface_methods;
use crate::error::{ApiError, ApiResult};
use async_graphql::{ComplexObject, Context, Enum, Result, SimpleObject};
use chrono::{DateTime, Utc};
use leeway_entities::{capacity_pool, case, network_membership, organisation, pool_queue_entry};
use leeway_machines::engine::transition::StateInfo;
use leeway_machines::network::application::NetworkApplication;
use leeway_machines::network::membership::MembershipState;
use leeway_machines::network::program::NetworkState;
use leeway_machines::network::rules::{NetworkRules, WaitListOrder};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

/// Where a district's network application, or its membership, stands. A
/// case in a final state accepts no further commands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
#[graphql(name = "MembershipState", remote = "MembershipState")]
pub enum MembershipStateView {
    /// Being written by the district; not yet submitted.
    Draft,
    /// Submitted and awaiting the SEA's completeness check.
    Submitted,
    /// Returned to the district as incomplete; it may edit and submit again.
    Returned,
    /// Complete and in review.
    InReview,
    /// Scored by a reviewer and awaiting the approver's decision.
    Reviewed,
    /// On the wait list for a seat.
    WaitListed,
    /// Offered a freed seat, which awaits the district's answer until the
    /// offer expires (`offerExpiresAt`).
    Offered,
    /// A member in its planning year; active membership begins when it ends.
    Planning,
    /// An active member, which re-commits every year.
    Active,
    /// A member whose yearly re-commitment is overdue; it lapses unless it
    /// re-commits within the grace period.
    RecommitmentOverdue,
    /// Final: the SEA declined the application.
    Declined,
    /// Final: the district declined the seat offered.
    OfferDeclined,
    /// Final: the seat offered was not accepted in time.
    OfferExpired,
    /// Final: off the wait list because interest was not re-confirmed in
    /// time.
    LeftWaitList,
    /// Final: the district withdrew the application.
    Withdrawn,
    /// Final: the member left the network.
    Exited,
    /// Final: the state ended the membership.
    Removed,
    /// Final: the membership lapsed without a re-commitment.
    Lapsed,
}

/// Where a network's own case stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
#[graphql(name = "NetworkState", remote = "NetworkState")]
pub enum NetworkStateView {
    /// The network is running; a network has no other state.
    Operating,
}

/// Who is offered a freed seat first.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
#[graphql(remote = "WaitListOrder")]
pub enum WaitListOrderView {
    /// First submitted, first offered.
    SubmissionTime,
    /// Highest review score first; ties by submission time.
    ReviewRanking,
}

/// One district's application to a network, and its membership.
#[derive(SimpleObject, Clone, Debug, Serialize, Deserialize)]
#[graphql(complex, name = "NetworkMembership")]
pub struct MembershipView {
    #[graphql(flatten)]
    pub core: CaseCore,
    /// Where the application or membership stands.
    pub state: MembershipStateView,
    /// The network's code.
    pub network: String,
    /// When the application was last submitted (RFC 3339, UTC); null until
    /// it is.
    pub submitted_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub review_score: Option<i32>,
    /// The school year of the cohort the district joined with, e.g.
    /// `2026-27` (July to June); null until it is selected or accepts a seat.
    pub cohort: Option<String>,
    /// While a seat is offered: when the offer passes to the next on the
    /// wait list unless accepted (RFC 3339, UTC).
    pub offer_expires_at: Option<DateTime<Utc>>,
    /// During the planning year: when it ends and active membership begins
    /// (RFC 3339, UTC).
    pub planning_ends_at: Option<DateTime<Utc>>,
    /// When the district was selected or accepted a seat (RFC 3339, UTC);
    /// null before.
    pub member_since: Option<DateTime<Utc>>,
    /// When the next yearly re-commitment is due (RFC 3339, UTC), once the
    /// membership is active.
    pub recommitment_due: Option<DateTime<Utc>>,
    /// How many students the district estimates the work will reach, from
    /// its application.
    pub students_reached: i32,
    /// The schools that join; empty when the whole district joins.
    pub school_ids: Vec<String>,
    /// A member, or an offer awaiting an answer, holds a seat.
    pub holds_seat: bool,
}

case_interface_methods!(MembershipView);

impl MembershipView {
    fn new(c: case::Model, m: Option<network_membership::Model>) -> ApiResult<Self> {
        let state = MembershipState::parse(&c.state).ok_or_else(|| {
            ApiError::internal("read the application", format!("state {}", c.state))
        })?;
        let m = m.ok_or_else(|| {
            ApiError::internal("read the application", format!("no row for {}", c.id))
        })?;
        Ok(Self {
            state: state.into(),
            holds_seat: state.holds_seat(),
            network: m.network,
            submitted_at: m.submitted_at,
            review_score: m.review_score,
            cohort: m.cohort,
            offer_expires_at: m.offer_expires_at,
            planning_ends_at: m.planning_ends_at,
            member_since: m.member_since,
            recommitment_due: m.recommit_due,
            students_reached: m.students_reached,
            school_ids: serde_json::from_str(&m.school_ids).unwrap_or_default(),
            core: CaseCore::new::<MembershipState>(c),
        })
    }
}

impl CaseView for MembershipView {
    async fn load(db: &DatabaseConnection, c: case::Model) -> ApiResult<Self> {
        let m = network_membership::Entity::find_by_id(c.id.as_str())
            .one(db)
            .await?;
        Self::new(c, m)
    }

    async fn load_many(db: &DatabaseConnection, cases: Vec<case::Model>) -> ApiResult<Vec<Self>> {
        let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
        let mut rows = network_membership::Entity::find()
            .filter(network_membership::Column::CaseId.is_in(ids))
            .all(db)
            .await?;
        cases
            .into_iter()
            .map(|c| {
                let m = rows
                    .iter()
                    .position(|m| m.case_id == c.id)
                    .map(|i| rows.swap_remove(i));
                Self::new(c, m)
            })
            .collect()
    }
}

#[ComplexObject]
impl MembershipView {
    /// The current text of the application: the draft, or the one
    /// submitted.
    async fn content(&self, ctx: &Context<'_>) -> Result<Option<NetworkApplicationView>> {
        let Some(hash) = &self.core.document_hash else {
            return Ok(None);
        };
        Ok(self
            .core
            .document(ctx, hash)
            .await?
            .and_then(|d| serde_json::from_value::<NetworkApplication>(d).ok())
            .map(Into::into))
    }

    /// The review's score, 0 to 100, once reviewed; withheld from district
    /// staff until the approver decides.
    async fn review_score(&self, ctx: &Context<'_>) -> Option<i32> {
        if self.core.withheld_from(ctx, "review") {
            return None;
        }
        self.review_score
    }

    /// Place on the wait list (1 is next), while wait-listed.
    async fn wait_list_position(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        if self.state != MembershipStateView::WaitListed {
            return Ok(None);
        }
        let Some(rules) = app(ctx).profile.network(&self.network) else {
            return Ok(None);
        };
        let queue = records(ctx)?
            .load_one(QueueOf(rules.seat_pool()))
            .await?
            .unwrap_or_default();
        Ok(queue
            .iter()
            .position(|e| e.case_id == self.core.id)
            .map(|p| p as i32 + 1))
    }
}

/// A network as the SEA holds it: a case with its own history (cap
/// changes) beside the network's public facts.
#[derive(SimpleObject, Clone, Debug, Serialize, Deserialize)]
#[graphql(complex, name = "Network")]
pub struct NetworkView {
    #[graphql(flatten)]
    pub core: CaseCore,
    /// Always `OPERATING`.
    pub state: NetworkStateView,
    /// The network's short code, e.g. `IMEN`.
    pub code: String,
}

case_interface_methods!(NetworkView);

impl NetworkView {
    pub fn new(c: case::Model, code: &str) -> Self {
        Self {
            state: NetworkStateView::Operating,
            code: code.to_string(),
            core: CaseCore::new::<NetworkState>(c),
        }
    }
}

#[ComplexObject]
impl NetworkView {
    /// The network's public facts, members and seats.
    async fn network(&self, ctx: &Context<'_>) -> Result<Option<NetworkProgramView>> {
        match app(ctx).profile.network(&self.code) {
            Some(rules) => Ok(Some(NetworkProgramView::from(rules))),
            None => Ok(None),
        }
    }

    /// The wait list, first to be offered a seat first. For SEA staff.
    #[graphql(complexity = "10 * child_complexity")]
    async fn wait_list(&self, ctx: &Context<'_>) -> Result<Vec<WaitListEntryView>> {
        let Some(rules) = app(ctx).profile.network(&self.code) else {
            return Ok(Vec::new());
        };
        let db = &app(ctx).db;
        let queue = pool_queue_entry::Entity::find()
            .filter(pool_queue_entry::Column::PoolId.eq(rules.seat_pool()))
            .order_by_asc(pool_queue_entry::Column::Rank)
            .order_by_asc(pool_queue_entry::Column::Since)
            .order_by_asc(pool_queue_entry::Column::CaseId)
            .all(db)
            .await
            .map_err(ApiError::from)?;
        let ids: Vec<String> = queue.iter().map(|e| e.case_id.clone()).collect();
        let cases = case::Entity::find()
            .filter(case::Column::Id.is_in(ids))
            .all(db)
            .await
            .map_err(ApiError::from)?;
        Ok(queue
            .into_iter()
            .enumerate()
            .map(|(i, e)| WaitListEntryView {
                position: i as i32 + 1,
                organisation_id: cases
                    .iter()
                    .find(|c| c.id == e.case_id)
                    .and_then(|c| c.organisation_id.clone())
                    .unwrap_or_default(),
                membership_id: e.case_id,
                since: e.since,
            })
            .collect())
    }
}

/// One application waiting for a seat in a network.
#[derive(SimpleObject, Clone)]
#[graphql(name = "WaitListEntry")]
pub struct WaitListEntryView {
    /// Place on the list; 1 is offered the next seat freed.
    pub position: i32,
    /// The waiting application's case id (`NetworkMembership.id`).
    pub membership_id: String,
    /// The district or charter that is waiting.
    pub organisation_id: String,
    /// When the application was submitted.
    pub since: DateTime<Utc>,
}

/// A period in which districts may submit applications to a network.
#[derive(SimpleObject, Clone)]
#[graphql(name = "ApplicationWindow")]
pub struct WindowView {
    /// `09-01` for every September 1, or a date.
    pub opens: String,
    /// The window's last day, included; written as `opens` is.
    pub closes: String,
    /// The window in words, e.g. "September 1 to November 30 each year".
    pub description: String,
}

/// A question of the network's readiness survey, which every applicant
/// answers.
#[derive(SimpleObject, Clone)]
#[graphql(name = "ReadinessQuestion")]
pub struct ReadinessQuestionView {
    /// The question's id, which `ReadinessAnswerInput.questionId` answers it
    /// by.
    pub id: String,
    /// The question's text.
    pub question: String,
}

/// Something a member commits to in its letter of commitment; an
/// application signs every one.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Commitment")]
pub struct CommitmentView {
    /// The commitment's id, listed in `NetworkApplicationInput.commitments`
    /// to sign it.
    pub id: String,
    /// What the member commits to.
    pub text: String,
}

/// A network as anyone may read it.
#[derive(SimpleObject, Clone)]
#[graphql(complex, name = "NetworkProgram")]
pub struct NetworkProgramView {
    /// The network's short code, e.g. `IMEN`, which queries and mutations
    /// name it by.
    pub code: String,
    /// The network's name, e.g. "Idaho Mastery Education Network".
    pub name: String,
    /// The law the network runs under, e.g. `Idaho Code 33-1632`.
    pub statute: String,
    /// Who is offered a freed seat first.
    pub wait_list_order: WaitListOrderView,
    /// When districts may submit applications; submission outside every
    /// window is refused with INVALID_TRANSITION.
    pub application_windows: Vec<WindowView>,
    /// The readiness survey every applicant answers.
    pub readiness_questions: Vec<ReadinessQuestionView>,
    /// What a member commits to; an application signs all of them.
    pub commitments: Vec<CommitmentView>,
    #[graphql(skip)]
    pub pool: String,
    #[graphql(skip)]
    pub case_id: String,
}

impl From<&NetworkRules> for NetworkProgramView {
    fn from(r: &NetworkRules) -> Self {
        Self {
            code: r.code.clone(),
            name: r.name.clone(),
            statute: r.statute.clone(),
            wait_list_order: r.wait_list_order.into(),
            application_windows: r
                .windows
                .iter()
                .map(|w| WindowView {
                    opens: w.opens.to_string(),
                    closes: w.closes.to_string(),
                    description: w.describe(),
                })
                .collect(),
            readiness_questions: r
                .readiness
                .iter()
                .map(|q| ReadinessQuestionView {
                    id: q.id.clone(),
                    question: q.question.clone(),
                })
                .collect(),
            commitments: r
                .commitments
                .iter()
                .map(|c| CommitmentView {
                    id: c.id.clone(),
                    text: c.text.clone(),
                })
                .collect(),
            pool: r.seat_pool(),
            case_id: r.case_id(),
        }
    }
}

/// A member as the public list shows it.
#[derive(SimpleObject, Clone)]
#[graphql(name = "NetworkMember")]
pub struct NetworkMemberView {
    /// The member district or charter.
    pub organisation_id: String,
    /// The member's name.
    pub organisation_name: String,
    /// `PLANNING`, `ACTIVE` or `RECOMMITMENT_OVERDUE`.
    pub state: MembershipStateView,
    /// The school year of the cohort it joined with, e.g. `2026-27`.
    pub cohort: Option<String>,
    /// When it was selected or accepted its seat (RFC 3339, UTC).
    pub member_since: Option<DateTime<Utc>>,
    /// How many students it estimates the work will reach.
    pub students_reached: i32,
}

impl NetworkMemberView {
    /// A network's members in their planning year and active members, by
    /// the date they joined: what its public list and the public page show.
    pub async fn of_network(db: &DatabaseConnection, code: &str) -> ApiResult<Vec<Self>> {
        let member_states: Vec<&str> = MembershipState::ALL
            .iter()
            .filter(|s| s.is_member())
            .map(|s| s.name())
            .collect();
        let memberships = network_membership::Entity::find()
            .filter(network_membership::Column::Network.eq(code))
            .order_by_asc(network_membership::Column::MemberSince)
            .all(db)
            .await?;
        let ids: Vec<String> = memberships.iter().map(|m| m.case_id.clone()).collect();
        let cases = case::Entity::find()
            .filter(case::Column::Id.is_in(ids))
            .filter(case::Column::State.is_in(member_states))
            .all(db)
            .await?;
        let orgs = organisation::Entity::find().all(db).await?;
        Ok(memberships
            .into_iter()
            .filter_map(|m| {
                let c = cases.iter().find(|c| c.id == m.case_id)?;
                let state = MembershipState::parse(&c.state)?;
                Some(NetworkMemberView {
                    organisation_name: orgs
                        .iter()
                        .find(|o| o.id == m.organisation_id)
                        .map(|o| o.name.clone())
                        .unwrap_or_else(|| m.organisation_id.clone()),
                    organisation_id: m.organisation_id,
                    state: state.into(),
                    cohort: m.cohort,
                    member_since: m.member_since,
                    students_reached: m.students_reached,
                })
            })
            .collect())
    }
}

#[ComplexObject]
impl NetworkProgramView {
    /// The cap in force (an administrator may have changed the profile's);
    /// none when the network has no cap.
    async fn cap(&self, ctx: &Context<'_>) -> Result<Option<i64>> {
        Ok(self.seats(ctx).await?.and_then(|p| p.capacity))
    }

    /// Seats held by members and by offers awaiting an answer.
    async fn seats_held(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.seats(ctx).await?.map(|p| p.committed).unwrap_or(0))
    }

    /// How many applications are waiting for a seat.
    async fn wait_list_length(&self, ctx: &Context<'_>) -> Result<i32> {
        use sea_orm::PaginatorTrait;
        Ok(pool_queue_entry::Entity::find()
            .filter(pool_queue_entry::Column::PoolId.eq(self.pool.as_str()))
            .count(&app(ctx).db)
            .await
            .map_err(ApiError::from)? as i32)
    }

    /// Members in their planning year and active members. Public.
    #[graphql(complexity = "10 * child_complexity")]
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<NetworkMemberView>> {
        Ok(NetworkMemberView::of_network(&app(ctx).db, &self.code).await?)
    }
}

impl NetworkProgramView {
    async fn seats(&self, ctx: &Context<'_>) -> Result<Option<capacity_pool::Model>> {
        Ok(capacity_pool::Entity::find_by_id(self.pool.as_str())
            .one(&app(ctx).db)
            .await
            .map_err(ApiError::from)?)
    }
}

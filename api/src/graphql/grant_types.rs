//! How grants read in GraphQL: a program's public facts and its
//! appropriation's ledger, the program as the SEA holds it (a `Case`, with
//! the ranked slate), and each district's grant (a `Case`), whose panel,
//! scores, claims and reports each follow their own visibility rule.
use super::app;
use super::caller;
use super::case_commands::CaseView;
use super::case_types::CaseCore;
use super::money::Cents as CentsScalar;
use crate::case_interface_methods;
use crate::error::{ApiError, ApiResult};
use async_graphql::{ComplexObject, Context, Enum, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use leeway_entities::{case, grant_case, grant_program, ledger, organisation};
use leeway_machines::domain::actor::Role;
use leeway_machines::engine::transition::StateInfo;
use leeway_machines::grant::award::{
    self as grant_award, AmendmentStatus, ClaimStatus, ReportKind,
};
use leeway_machines::grant::machine::{GrantCase, GrantState};
use leeway_machines::grant::program::GrantProgramState;
use leeway_machines::grant::proposal::{BudgetCategory, GrantProposal};
use leeway_machines::grant::review::{SeatStatus, points};
use leeway_machines::grant::terms::{Eligibility, GrantTerms, Phase};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a district's grant application, or its grant, stands. A grant in
/// a final state accepts no further commands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
#[graphql(name = "GrantState", remote = "GrantState")]
pub enum GrantStateView {
    /// Being written by the district; not yet submitted.
    Draft,
    /// Certified and submitted; awaiting the completeness check.
    Submitted,
    /// Returned to the district as incomplete; it may edit and submit again.
    Returned,
    /// With its review panel: reviewers declare conflicts, then score.
    InReview,
    /// Every panel member has scored; awaiting the approver's decision.
    Scored,
    /// Awarded; the district accepts or declines by `award.acceptBy`.
    Offered,
    /// Accepted and running: claims, amendments and reports.
    Active,
    /// The period ended: the final report and final claim are due by
    /// `closeoutDue`.
    Closeout,
    /// Final: closed out; what was unspent went back to the appropriation.
    ClosedOut,
    /// Final: the approver declined the application.
    Declined,
    /// Final: the district declined the award.
    AwardDeclined,
    /// Final: the award was not accepted in time.
    OfferExpired,
    /// Final: the district withdrew the application.
    Withdrawn,
}

/// Where a grant program stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
#[graphql(name = "GrantProgramState", remote = "GrantProgramState")]
pub enum GrantProgramStateView {
    /// Created, not yet open to applications.
    Draft,
    /// Open: its appropriation's ledger is open and districts may apply in
    /// its window.
    Open,
    /// Final: its fiscal year ended and what was uncommitted lapsed.
    Lapsed,
}

/// A program's phase (Utah: planning, then implementation, then expansion).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
#[graphql(name = "GrantPhase", remote = "Phase")]
pub enum PhaseView {
    /// A first phase: planning the work.
    Planning,
    /// Carrying out what was planned.
    Implementation,
    /// Taking what worked further.
    Expansion,
}

/// The object classes of a grant budget, as on the federal SF-424A.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
#[graphql(name = "BudgetCategory", remote = "BudgetCategory")]
pub enum BudgetCategoryView {
    /// Salaries and wages.
    Personnel,
    /// Benefits on those salaries.
    FringeBenefits,
    /// Staff travel.
    Travel,
    /// Equipment.
    Equipment,
    /// Supplies and materials.
    Supplies,
    /// Contracted services.
    Contractual,
    /// Anything else.
    Other,
}

/// Who may apply to a program.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
pub enum EligibilityKind {
    /// Any district or charter.
    AnyDistrict,
    /// Active members of a learning network (`eligibleNetwork`, or any).
    NetworkMembers,
    /// Holders of an approved innovation waiver in force.
    WaiverHolders,
}

/// A claim's standing.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
pub enum ClaimState {
    /// Awaiting the fiscal officer.
    Pending,
    /// Approved and paid.
    Paid,
    /// Denied, with reasons.
    Denied,
}

/// A budget amendment's standing.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
#[graphql(name = "AmendmentState", remote = "AmendmentStatus")]
pub enum AmendmentStateView {
    /// Within the profile's threshold: applied when requested.
    Applied,
    /// Above the threshold: awaiting an approver.
    Pending,
    /// Approved and applied.
    Approved,
    /// Denied.
    Denied,
}

/// Which report is due.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
#[graphql(name = "GrantReportKind", remote = "ReportKind")]
pub enum ReportKindView {
    /// A progress and expenditure report while the grant runs.
    Progress,
    /// The final report at closeout.
    Final,
}

/// A panel member's standing.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
pub enum PanelSeatState {
    /// Assigned; has not yet declared conflicts, and cannot see the
    /// application.
    Assigned,
    /// Declared no conflict and has no tie on record: reads and scores.
    Cleared,
    /// Off the panel for a conflict; a replacement is assigned.
    Recused,
}

/// A criterion of a program's scoring rubric.
#[derive(SimpleObject, Clone, Debug, Serialize, Deserialize)]
#[graphql(name = "RubricCriterion")]
pub struct CriterionView {
    /// Its short id, which `CriterionScoreInput.criterion` scores it by.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The most points it gives.
    pub max_points: i32,
    /// What reviewers look for.
    pub guidance: String,
}

/// An appropriation's ledger, in cents. `appropriated` is always
/// `available + committed + disbursed + lapsed`; the database refuses any
/// write that would break it.
#[derive(SimpleObject, Clone, Debug, Serialize, Deserialize)]
#[graphql(name = "AppropriationLedger")]
pub struct LedgerView {
    /// What the legislature appropriated.
    pub appropriated: CentsScalar,
    /// Not yet committed to any grant.
    pub available: CentsScalar,
    /// Awarded and not yet paid.
    pub committed: CentsScalar,
    /// Paid on approved claims.
    pub disbursed: CentsScalar,
    /// Lapsed at the end of the fiscal year.
    pub lapsed: CentsScalar,
    /// When the fiscal year ended and the ledger closed; null while open.
    pub closed_at: Option<DateTime<Utc>>,
}

impl From<ledger::Model> for LedgerView {
    fn from(l: ledger::Model) -> Self {
        Self {
            appropriated: CentsScalar(l.appropriated),
            available: CentsScalar(l.available),
            committed: CentsScalar(l.committed),
            disbursed: CentsScalar(l.disbursed),
            lapsed: CentsScalar(l.lapsed),
            closed_at: l.closed_at,
        }
    }
}

/// A grant program's public facts and its appropriation's ledger.
#[derive(SimpleObject, Clone, Debug, Serialize, Deserialize)]
#[graphql(complex, name = "GrantProgramInfo")]
pub struct GrantProgramInfo {
    /// Its short code, e.g. `MASTERY-27`.
    pub code: String,
    /// Its name.
    pub name: String,
    /// What the money is for.
    pub purpose: String,
    /// Where the program stands.
    pub state: GrantProgramStateView,
    /// Its phase.
    pub phase: PhaseView,
    /// The program of the phase before, whose grant an applicant must have
    /// closed out with an accepted final report; null for a first phase.
    pub follows: Option<String>,
    /// Who may apply.
    pub eligibility: EligibilityKind,
    /// For `NETWORK_MEMBERS`: the network's code; null for any network.
    pub eligible_network: Option<String>,
    /// The appropriation, in cents.
    pub appropriated: CentsScalar,
    /// The fiscal year, e.g. `FY2027`.
    pub fiscal_year: String,
    /// The statute or funding source.
    pub funding_source: String,
    /// When the fiscal year ends and what is uncommitted lapses.
    pub lapses_at: DateTime<Utc>,
    /// The smallest award, in cents.
    pub min_award: CentsScalar,
    /// The largest award, in cents.
    pub max_award: CentsScalar,
    /// The scoring rubric.
    pub rubric: Vec<CriterionView>,
    /// Points added to an under-resourced applicant's mean score.
    pub equity_points: i32,
    /// When applications open.
    pub window_opens: DateTime<Utc>,
    /// When applications close.
    pub window_closes: DateTime<Utc>,
    /// How many reviewers score each application.
    pub reviewers_per_application: i32,
    /// When the grant period ends and closeout begins.
    pub period_ends: DateTime<Utc>,
    /// Costs incurred after this are not reimbursed.
    pub spend_by: DateTime<Utc>,
    /// How often a progress and expenditure report is due, e.g. `90-day`.
    pub report_every: String,
    #[graphql(skip)]
    pub ledger_id: String,
}

impl GrantProgramInfo {
    pub fn new(terms: &GrantTerms, state: GrantProgramState) -> Self {
        let p = &terms.program;
        let (eligibility, eligible_network) = match &p.eligibility {
            Eligibility::AnyDistrict => (EligibilityKind::AnyDistrict, None),
            Eligibility::NetworkMembers { network } => {
                (EligibilityKind::NetworkMembers, network.clone())
            }
            Eligibility::WaiverHolders => (EligibilityKind::WaiverHolders, None),
        };
        Self {
            code: p.code.clone(),
            name: p.name.clone(),
            purpose: p.purpose.clone(),
            state: state.into(),
            phase: p.phase.into(),
            follows: p.follows.clone(),
            eligibility,
            eligible_network,
            appropriated: p.appropriation.amount.into(),
            fiscal_year: p.appropriation.fiscal_year.clone(),
            funding_source: p.appropriation.source.clone(),
            lapses_at: p.appropriation.lapses_at,
            min_award: p.min_award.into(),
            max_award: p.max_award.into(),
            rubric: p
                .rubric
                .iter()
                .map(|c| CriterionView {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    max_points: c.max_points as i32,
                    guidance: c.guidance.clone(),
                })
                .collect(),
            equity_points: p.equity_points as i32,
            window_opens: p.window_opens,
            window_closes: p.window_closes,
            reviewers_per_application: p.reviewers_per_application as i32,
            period_ends: p.period_ends,
            spend_by: p.spend_by,
            report_every: p.report_every.adjective(),
            ledger_id: p.ledger(),
        }
    }

    /// Every program with its state, by code.
    pub async fn all(db: &DatabaseConnection) -> ApiResult<Vec<Self>> {
        let rows = grant_program::Entity::find().all(db).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(Self::from_row(db, &row).await?);
        }
        out.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(out)
    }

    pub async fn from_row(db: &DatabaseConnection, row: &grant_program::Model) -> ApiResult<Self> {
        let terms: GrantTerms = serde_json::from_str(&row.terms)
            .map_err(|e| ApiError::internal("read the program's terms", e))?;
        let state = case::Entity::find_by_id(row.case_id.as_str())
            .one(db)
            .await?
            .and_then(|c| GrantProgramState::parse(&c.state))
            .unwrap_or(GrantProgramState::Draft);
        Ok(Self::new(&terms, state))
    }
}

#[ComplexObject]
impl GrantProgramInfo {
    /// The appropriation's ledger; null until the program opens.
    async fn ledger(&self, ctx: &Context<'_>) -> Result<Option<LedgerView>> {
        Ok(ledger::Entity::find_by_id(self.ledger_id.as_str())
            .one(&app(ctx).db)
            .await
            .map_err(ApiError::from)?
            .map(Into::into))
    }
}

/// A grant program as the SEA holds it: a case with its own history
/// (drafted, opened, lapsed), its public facts and ledger, and the ranked
/// slate of its applications.
#[derive(SimpleObject, Clone, Debug, Serialize, Deserialize)]
#[graphql(complex, name = "GrantProgram")]
pub struct GrantProgramView {
    #[graphql(flatten)]
    pub core: CaseCore,
    /// Where the program stands.
    pub state: GrantProgramStateView,
    /// Its terms, public facts and ledger.
    pub terms: GrantProgramInfo,
}

case_interface_methods!(GrantProgramView);

impl CaseView for GrantProgramView {
    async fn load(db: &DatabaseConnection, c: case::Model) -> ApiResult<Self> {
        let row = grant_program::Entity::find()
            .filter(grant_program::Column::CaseId.eq(c.id.as_str()))
            .one(db)
            .await?
            .ok_or_else(|| {
                ApiError::internal("read the program", format!("no row for {}", c.id))
            })?;
        let state = GrantProgramState::parse(&c.state)
            .ok_or_else(|| ApiError::internal("read the program", format!("state {}", c.state)))?;
        Ok(Self {
            state: state.into(),
            terms: GrantProgramInfo::from_row(db, &row).await?,
            core: CaseCore::new::<GrantProgramState>(c),
        })
    }

    async fn load_many(db: &DatabaseConnection, cases: Vec<case::Model>) -> ApiResult<Vec<Self>> {
        let mut out = Vec::with_capacity(cases.len());
        for c in cases {
            out.push(Self::load(db, c).await?);
        }
        Ok(out)
    }
}

/// One application on a program's slate, ranked by total score.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "SlateEntry")]
pub struct SlateEntryView {
    /// 1 for the highest total score.
    pub rank: i32,
    /// The grant's case id.
    pub grant_id: String,
    /// The applicant.
    pub organisation_id: String,
    /// Where the application stands.
    pub state: GrantStateView,
    /// What it asked for, in cents.
    pub requested: CentsScalar,
    /// The panel's mean score.
    pub mean_score: f64,
    /// Equity priority points added.
    pub equity_points: i32,
    /// The mean plus the equity points: what the slate ranks by.
    pub total_score: f64,
    /// The reviewers disagree beyond the profile's flag and the scores are
    /// not yet reconciled.
    pub disagreement: bool,
    /// What was awarded, in cents; null before a decision.
    pub awarded: Option<CentsScalar>,
}

#[ComplexObject]
impl GrantProgramView {
    /// Every scored application of the program, highest total first (ties
    /// by earlier submission). For approvers, fiscal officers, auditors and
    /// administrators; empty for reviewers, who see only their panels.
    async fn slate(&self, ctx: &Context<'_>) -> Result<Vec<SlateEntryView>> {
        if matches!(reader(ctx)?, Reader::Reviewer(_)) {
            return Ok(Vec::new());
        }
        let db = &app(ctx).db;
        let mut rows = grant_case::Entity::find()
            .filter(grant_case::Column::Program.eq(self.terms.code.as_str()))
            .filter(grant_case::Column::TotalCentipoints.is_not_null())
            .all(db)
            .await
            .map_err(ApiError::from)?;
        rows.sort_by(|a, b| {
            b.total_centipoints
                .cmp(&a.total_centipoints)
                .then(a.submitted_at.cmp(&b.submitted_at))
        });
        let ids: Vec<String> = rows.iter().map(|r| r.case_id.clone()).collect();
        let states: BTreeMap<String, String> = case::Entity::find()
            .filter(case::Column::Id.is_in(ids))
            .all(db)
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .map(|c| (c.id, c.state))
            .collect();
        Ok(rows
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let state = states.get(&r.case_id).and_then(|s| GrantState::parse(s))?;
                Some(SlateEntryView {
                    rank: i as i32 + 1,
                    state: state.into(),
                    requested: CentsScalar(r.requested),
                    mean_score: r.mean_centipoints.unwrap_or(0) as f64 / 100.0,
                    equity_points: r.equity_points.unwrap_or(0),
                    total_score: r.total_centipoints.unwrap_or(0) as f64 / 100.0,
                    disagreement: r.disagreement,
                    awarded: r.awarded.map(CentsScalar),
                    grant_id: r.case_id,
                    organisation_id: r.organisation_id,
                })
            })
            .collect())
    }
}

/// An amount in one budget category.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "CategoryAmount")]
pub struct CategoryAmountView {
    /// The category.
    pub category: BudgetCategoryView,
    /// The amount, in cents.
    pub amount: CentsScalar,
    /// What is paid or pending in it, in cents.
    pub claimed: CentsScalar,
}

/// The award made to a grant.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "GrantAward")]
pub struct AwardView {
    /// What was awarded, in cents.
    pub amount: CentsScalar,
    /// Why less than requested was awarded; empty for the full amount.
    pub reductions: Vec<String>,
    /// By when the district accepts or declines.
    pub accept_by: DateTime<Utc>,
    /// When it accepted; null before.
    pub accepted_at: Option<DateTime<Utc>>,
    /// The budget as awarded and amended since, with what is claimed in
    /// each category.
    pub budget: Vec<CategoryAmountView>,
    /// Paid on approved claims, in cents.
    pub paid: CentsScalar,
    /// Claimed and awaiting the fiscal officer, in cents.
    pub pending: CentsScalar,
    /// What may still be claimed: the award less what is paid or pending,
    /// in cents.
    pub remaining: CentsScalar,
}

/// A reimbursement claim.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "GrantClaim")]
pub struct ClaimView {
    /// Its number within the grant: 1, 2, 3…
    pub no: i32,
    /// The budget category claimed against.
    pub category: BudgetCategoryView,
    /// The amount, in cents.
    pub amount: CentsScalar,
    /// When the costs were incurred.
    pub incurred_on: NaiveDate,
    /// Invoices, receipts, payroll records referred to.
    pub documentation: Vec<String>,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// Its standing.
    pub state: ClaimState,
    /// The payment's reference, once paid.
    pub payment_reference: Option<String>,
    /// When it was paid.
    pub paid_at: Option<DateTime<Utc>>,
    /// Why it was denied.
    pub denial_reasons: Vec<String>,
}

/// A budget amendment: money moved between categories.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "BudgetAmendment")]
pub struct AmendmentView {
    /// Its number within the grant.
    pub no: i32,
    /// The category money moves from.
    pub from: BudgetCategoryView,
    /// The category money moves to.
    pub to: BudgetCategoryView,
    /// How much, in cents.
    pub amount: CentsScalar,
    /// Why, in the district's words.
    pub reason: String,
    /// Its standing.
    pub state: AmendmentStateView,
}

/// A report a grant owes.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "GrantReport")]
pub struct ReportView {
    /// Its number within the grant.
    pub no: i32,
    /// Which report.
    pub kind: ReportKindView,
    /// When it is due.
    pub due: DateTime<Utc>,
    /// When it was submitted; null before.
    pub submitted_at: Option<DateTime<Utc>>,
    /// What the district reported.
    pub narrative: Option<String>,
    /// Past due and not submitted: new claims are held.
    pub overdue: bool,
    /// The approvers were told it is overdue.
    pub escalated: bool,
    /// Accepted (a progress report on receipt, a final report by a reviewer).
    pub accepted: bool,
}

/// A reviewer on an application's panel. For SEA approvers,
/// administrators and auditors; a reviewer sees only their own seat.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "PanelSeat")]
pub struct PanelSeatView {
    /// The reviewer's user id.
    pub reviewer_id: String,
    /// Their standing.
    pub state: PanelSeatState,
    /// Why they were recused: what they declared, or the tie on record.
    pub recusal_reason: Option<String>,
    /// They have scored.
    pub scored: bool,
}

/// One reviewer's score on one criterion.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "CriterionScore")]
pub struct CriterionScoreView {
    /// The criterion's id.
    pub criterion: String,
    /// Points given.
    pub points: i32,
    /// The reviewer's comment.
    pub comment: String,
}

/// One reviewer's scores. Reviewers see only their own until every panel
/// member has scored; applicants see them only after the decision, and
/// never who gave them.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "ReviewerScores")]
pub struct ReviewerScoresView {
    /// The reviewer's user id; null for the applicant's staff.
    pub reviewer_id: Option<String>,
    /// Their total.
    pub total: i32,
    /// By criterion.
    pub scores: Vec<CriterionScoreView>,
}

/// The panel's result.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "ScoreAggregate")]
pub struct AggregateView {
    /// How many reviewers scored.
    pub reviewers: i32,
    /// The mean of their totals.
    pub mean: f64,
    /// The highest total less the lowest.
    pub spread: i32,
    /// The spread is above the profile's flag.
    pub disagreement: bool,
    /// How an approver reconciled a disagreement.
    pub reconciled: Option<String>,
    /// Equity priority points added.
    pub equity_points: i32,
    /// The mean plus the equity points.
    pub total: f64,
}

/// One district's grant application, and its grant once awarded.
#[derive(SimpleObject, Clone, Debug, Serialize, Deserialize)]
#[graphql(complex, name = "Grant")]
pub struct GrantView {
    #[graphql(flatten)]
    pub core: CaseCore,
    /// Where the application or grant stands.
    pub state: GrantStateView,
    /// The program's code (`GrantProgramInfo.code`).
    pub program_code: String,
    #[graphql(skip)]
    pub requested: CentsScalar,
    #[graphql(skip)]
    pub students_served: i32,
    /// When the application was last submitted; null until it is.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When the final report and final claim are due, in closeout.
    pub closeout_due: Option<DateTime<Utc>>,
    /// What went back to the appropriation when the grant ended, in cents.
    pub returned: Option<CentsScalar>,
    #[graphql(skip)]
    pub detail: GrantCase,
}

case_interface_methods!(GrantView);

impl GrantView {
    fn new(c: case::Model, g: Option<grant_case::Model>) -> ApiResult<Self> {
        let state = GrantState::parse(&c.state)
            .ok_or_else(|| ApiError::internal("read the grant", format!("state {}", c.state)))?;
        let g =
            g.ok_or_else(|| ApiError::internal("read the grant", format!("no row for {}", c.id)))?;
        let detail: GrantCase =
            serde_json::from_str(&g.detail).map_err(|e| ApiError::internal("read the grant", e))?;
        Ok(Self {
            state: state.into(),
            program_code: g.program,
            requested: CentsScalar(g.requested),
            students_served: g.students_served,
            submitted_at: g.submitted_at,
            closeout_due: detail.closeout_due,
            returned: detail.returned.map(Into::into),
            core: CaseCore {
                // Reviewers check completeness before there is a panel;
                // from review on, only the cleared panel reads the form.
                form_readers: (!matches!(
                    state,
                    GrantState::Draft | GrantState::Submitted | GrantState::Returned
                ))
                .then(|| {
                    detail
                        .panel
                        .iter()
                        .filter(|s| s.status == SeatStatus::Cleared)
                        .map(|s| s.reviewer_id.clone())
                        .collect()
                }),
                ..CaseCore::new::<GrantState>(c)
            },
            detail,
        })
    }
}

impl CaseView for GrantView {
    async fn load(db: &DatabaseConnection, c: case::Model) -> ApiResult<Self> {
        let g = grant_case::Entity::find_by_id(c.id.as_str())
            .one(db)
            .await?;
        Self::new(c, g)
    }

    async fn load_many(db: &DatabaseConnection, cases: Vec<case::Model>) -> ApiResult<Vec<Self>> {
        let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
        let mut rows = grant_case::Entity::find()
            .filter(grant_case::Column::CaseId.is_in(ids))
            .all(db)
            .await?;
        cases
            .into_iter()
            .map(|c| {
                let g = rows
                    .iter()
                    .position(|g| g.case_id == c.id)
                    .map(|i| rows.swap_remove(i));
                Self::new(c, g)
            })
            .collect()
    }
}

/// Who is reading a grant, for its visibility rules.
enum Reader {
    /// The applicant's own staff.
    Applicant,
    /// An SEA reviewer, by user id.
    Reviewer(String),
    /// Approvers, fiscal officers, auditors, administrators.
    Staff,
}

fn reader(ctx: &Context<'_>) -> Result<Reader> {
    let who = caller(ctx)?;
    Ok(match who.role() {
        r if r.is_district() => Reader::Applicant,
        Role::SeaReviewer => Reader::Reviewer(who.actor.user_id.clone()),
        _ => Reader::Staff,
    })
}

impl GrantView {
    /// Whether the caller may read the application's form.
    fn reads_form(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(match (&self.core.form_readers, reader(ctx)?) {
            (Some(readers), Reader::Reviewer(me)) => readers.contains(&me),
            _ => true,
        })
    }

    /// Scoring is closed: every panel member has scored.
    fn scoring_closed(&self) -> bool {
        self.detail.aggregate.is_some()
    }

    /// The decision is made (awarded or declined, or further on).
    fn decided(&self) -> bool {
        !matches!(
            self.detail.state,
            GrantState::Draft
                | GrantState::Submitted
                | GrantState::Returned
                | GrantState::InReview
                | GrantState::Scored
                | GrantState::Withdrawn
        )
    }
}

fn category_amounts(
    budget: &BTreeMap<BudgetCategory, leeway_machines::domain::money::Cents>,
    detail: &GrantCase,
) -> Vec<CategoryAmountView> {
    budget
        .iter()
        .map(|(c, v)| CategoryAmountView {
            category: (*c).into(),
            amount: (*v).into(),
            claimed: grant_award::claimed_in(&detail.claims, *c).into(),
        })
        .collect()
}

#[ComplexObject]
impl GrantView {
    /// The application as written: the draft, or the version submitted.
    /// An SEA reviewer reads it (and its `snapshots`) only once cleared of
    /// conflicts on its panel.
    async fn proposal(&self, ctx: &Context<'_>) -> Result<Option<GrantProposalView>> {
        let Some(hash) = &self.core.document_hash else {
            return Ok(None);
        };
        Ok(self
            .core
            .document(ctx, hash)
            .await?
            .and_then(|d| serde_json::from_value::<GrantProposal>(d).ok())
            .map(Into::into))
    }

    /// What the budget asks for, in cents; null for an SEA reviewer the
    /// form is closed to (see `proposal`).
    async fn requested(&self, ctx: &Context<'_>) -> Result<Option<CentsScalar>> {
        Ok(self.reads_form(ctx)?.then_some(self.requested))
    }

    /// How many students the grant serves; null where `requested` is.
    async fn students_served(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        Ok(self.reads_form(ctx)?.then_some(self.students_served))
    }

    /// The budget requested, by category; empty where `requested` is null.
    async fn requested_budget(&self, ctx: &Context<'_>) -> Result<Vec<CategoryAmountView>> {
        if !self.reads_form(ctx)? {
            return Ok(Vec::new());
        }
        Ok(category_amounts(
            &self.detail.proposal.outline.budget,
            &self.detail,
        ))
    }

    /// The review panel. Approvers, fiscal officers, auditors and
    /// administrators see every seat; a reviewer sees their own; the
    /// applicant's staff see none.
    async fn panel(&self, ctx: &Context<'_>) -> Result<Vec<PanelSeatView>> {
        let reader = reader(ctx)?;
        Ok(self
            .detail
            .panel
            .iter()
            .filter(|s| match &reader {
                Reader::Applicant => false,
                Reader::Reviewer(me) => &s.reviewer_id == me,
                Reader::Staff => true,
            })
            .map(|s| PanelSeatView {
                reviewer_id: s.reviewer_id.clone(),
                state: match s.status {
                    SeatStatus::Assigned => PanelSeatState::Assigned,
                    SeatStatus::Cleared => PanelSeatState::Cleared,
                    SeatStatus::Recused { .. } => PanelSeatState::Recused,
                },
                recusal_reason: match &s.status {
                    SeatStatus::Recused { reason } => Some(reason.clone()),
                    _ => None,
                },
                scored: s.scores.is_some(),
            })
            .collect())
    }

    /// The reviewers' scores. A reviewer sees only their own until every
    /// panel member has scored; the applicant's staff see them only after
    /// the decision, and never who gave which.
    async fn scores(&self, ctx: &Context<'_>) -> Result<Vec<ReviewerScoresView>> {
        let reader = reader(ctx)?;
        if matches!(reader, Reader::Applicant) && !self.decided() {
            return Ok(Vec::new());
        }
        Ok(self
            .detail
            .panel
            .iter()
            .filter(|s| s.status == SeatStatus::Cleared)
            .filter(|s| match &reader {
                // Once scoring closes, the panel's cleared members see
                // each other's scores; no other reviewer ever does.
                Reader::Reviewer(me) => {
                    &s.reviewer_id == me || (self.scoring_closed() && self.detail.cleared(me))
                }
                _ => true,
            })
            .filter_map(|s| {
                let scores = s.scores.as_ref()?;
                Some(ReviewerScoresView {
                    reviewer_id: (!matches!(reader, Reader::Applicant))
                        .then(|| s.reviewer_id.clone()),
                    total: leeway_machines::grant::review::total(scores) as i32,
                    scores: scores
                        .iter()
                        .map(|c| CriterionScoreView {
                            criterion: c.criterion.clone(),
                            points: c.points as i32,
                            comment: c.comment.trimmed().to_string(),
                        })
                        .collect(),
                })
            })
            .collect())
    }

    /// The panel's result once every member has scored: for SEA staff, and
    /// for the applicant's staff after the decision.
    async fn aggregate(&self, ctx: &Context<'_>) -> Result<Option<AggregateView>> {
        if matches!(reader(ctx)?, Reader::Applicant) && !self.decided() {
            return Ok(None);
        }
        Ok(self.detail.aggregate.as_ref().map(|a| AggregateView {
            reviewers: a.reviewers as i32,
            mean: points(a.mean_centipoints).parse().unwrap_or(0.0),
            spread: a.spread as i32,
            disagreement: a.disagreement,
            reconciled: a.reconciled.clone(),
            equity_points: a.equity_points as i32,
            total: points(a.total_centipoints).parse().unwrap_or(0.0),
        }))
    }

    /// The award, once made.
    async fn award(&self) -> Option<AwardView> {
        let d = &self.detail;
        d.award.as_ref().map(|a| AwardView {
            amount: a.amount.into(),
            reductions: a.reductions.clone(),
            accept_by: a.accept_by,
            accepted_at: a.accepted_at,
            budget: category_amounts(&a.budget, d),
            paid: grant_award::paid(&d.claims).into(),
            pending: grant_award::pending(&d.claims).into(),
            remaining: grant_award::remaining(a, &d.claims).into(),
        })
    }

    /// Reimbursement claims, oldest first.
    async fn claims(&self) -> Vec<ClaimView> {
        self.detail
            .claims
            .iter()
            .map(|c| {
                let (state, payment_reference, paid_at, denial_reasons) = match &c.status {
                    ClaimStatus::Pending => (ClaimState::Pending, None, None, Vec::new()),
                    ClaimStatus::Paid {
                        payment_reference,
                        paid_at,
                    } => (
                        ClaimState::Paid,
                        Some(payment_reference.clone()),
                        Some(*paid_at),
                        Vec::new(),
                    ),
                    ClaimStatus::Denied { reasons } => {
                        (ClaimState::Denied, None, None, reasons.clone())
                    }
                };
                ClaimView {
                    no: c.no as i32,
                    category: c.category.into(),
                    amount: c.amount.into(),
                    incurred_on: c.incurred_on,
                    documentation: c.documentation.clone(),
                    submitted_at: c.submitted_at,
                    state,
                    payment_reference,
                    paid_at,
                    denial_reasons,
                }
            })
            .collect()
    }

    /// Budget amendments, oldest first.
    async fn amendments(&self) -> Vec<AmendmentView> {
        self.detail
            .amendments
            .iter()
            .map(|a| AmendmentView {
                no: a.no as i32,
                from: a.from.into(),
                to: a.to.into(),
                amount: a.amount.into(),
                reason: a.reason.clone(),
                state: a.status.into(),
            })
            .collect()
    }

    /// The reports the grant owes and has made, by due date.
    async fn reports(&self) -> Vec<ReportView> {
        let now = Utc::now();
        self.detail
            .reports
            .iter()
            .map(|r| ReportView {
                no: r.no as i32,
                kind: r.kind.into(),
                due: r.due,
                submitted_at: r.submitted_at,
                narrative: r.narrative.clone(),
                overdue: r.submitted_at.is_none() && (r.overdue || r.due < now),
                escalated: r.escalated,
                accepted: r.accepted,
            })
            .collect()
    }
}

/// What a district wrote to apply for a grant.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "GrantProposal")]
pub struct GrantProposalView {
    /// The narrative.
    pub narrative: String,
    /// The budget, line by line.
    pub budget: Vec<BudgetLineView>,
    /// The schools served; empty when the whole district is.
    pub school_ids: Vec<String>,
    /// How many students the grant serves.
    pub students_served: i32,
    /// Measurable goals.
    pub goals: Vec<GoalView>,
}

/// One line of a proposal's budget.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "BudgetLine")]
pub struct BudgetLineView {
    /// Its category.
    pub category: BudgetCategoryView,
    /// What it pays for.
    pub description: String,
    /// The amount, in cents.
    pub amount: CentsScalar,
}

/// A measurable goal.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "GrantGoal")]
pub struct GoalView {
    /// What is measured.
    pub measure: String,
    /// Where it starts.
    pub baseline: String,
    /// Where it should be.
    pub target: String,
}

impl From<GrantProposal> for GrantProposalView {
    fn from(p: GrantProposal) -> Self {
        Self {
            narrative: p.narrative,
            budget: p
                .budget
                .into_iter()
                .map(|l| BudgetLineView {
                    category: l.category.into(),
                    description: l.description,
                    amount: l.amount.into(),
                })
                .collect(),
            school_ids: p.school_ids,
            students_served: i32::try_from(p.students_served).unwrap_or(i32::MAX),
            goals: p
                .goals
                .into_iter()
                .map(|g| GoalView {
                    measure: g.measure,
                    baseline: g.baseline,
                    target: g.target,
                })
                .collect(),
        }
    }
}

/// A grant a district accepted: public, as the state's transparency asks.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "GrantAwardNotice")]
pub struct PublicAwardView {
    /// The grant's case id.
    pub grant_id: String,
    /// The district or charter.
    pub organisation_id: String,
    /// Its name.
    pub organisation_name: String,
    /// The program's code.
    pub program: String,
    /// The program's name.
    pub program_name: String,
    /// What the money is for: the program's purpose.
    pub purpose: String,
    /// The amount awarded, in cents.
    pub amount: CentsScalar,
    /// When the district accepted it.
    pub accepted_at: Option<DateTime<Utc>>,
}

impl PublicAwardView {
    /// Every accepted award, by program then district.
    pub async fn all(db: &DatabaseConnection, program: Option<&str>) -> ApiResult<Vec<Self>> {
        let mut select =
            grant_case::Entity::find().filter(grant_case::Column::AcceptedAt.is_not_null());
        if let Some(code) = program {
            select = select.filter(grant_case::Column::Program.eq(code));
        }
        let rows = select.all(db).await?;
        let programs = GrantProgramInfo::all(db).await?;
        let orgs: BTreeMap<String, String> = organisation::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        let mut out: Vec<Self> = rows
            .into_iter()
            .filter_map(|g| {
                let p = programs.iter().find(|p| p.code == g.program)?;
                Some(Self {
                    organisation_name: orgs.get(&g.organisation_id).cloned().unwrap_or_default(),
                    program_name: p.name.clone(),
                    purpose: p.purpose.clone(),
                    amount: CentsScalar(g.awarded?),
                    accepted_at: g.accepted_at,
                    grant_id: g.case_id,
                    organisation_id: g.organisation_id,
                    program: g.program,
                })
            })
            .collect();
        out.sort_by(|a, b| (&a.program, &a.organisation_id).cmp(&(&b.program, &b.organisation_id)));
        Ok(out)
    }
}

//! The provision catalog and the state profile in force.
use super::network_types::NetworkProgramView;
use async_graphql::SimpleObject;
use chrono::NaiveDate;
use leeway_entities::provision;
use leeway_machines::domain::state_profile::StateProfile;
use leeway_machines::waiver::rules::WaiverRules;

/// One section of statute or rule in the provision catalog, and whether
/// this state lets a district waive it.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Provision")]
pub struct ProvisionView {
    /// The provision's citation, e.g. `702 KAR 7:125`; a request's line
    /// item cites it exactly so.
    pub citation: String,
    /// The provision's title, e.g. "Minimum high school graduation
    /// requirements".
    pub title: String,
    /// The catalog's category, e.g. `instruction` or `health_and_safety`;
    /// a state may make whole categories non-waivable.
    pub category: String,
    /// False if the catalog or the state profile forbids waiving it.
    pub waivable: bool,
    /// Why it may not be waived: the catalog's reason, or that the state
    /// allows no waivers of its category; null when waivable.
    pub non_waivable_reason: Option<String>,
    /// The first day the provision is in force; until then, submitting a
    /// request that cites it is refused.
    pub effective_from: NaiveDate,
    /// The last day it is in force, once repealed or sunset; null while it
    /// has no end. After it, submitting a request that cites it is refused.
    pub effective_to: Option<NaiveDate>,
}

impl ProvisionView {
    pub fn new(p: provision::Model, profile: &WaiverRules) -> Self {
        let by_profile = profile.non_waivable_categories.contains(&p.category);
        let reason = p.non_waivable_reason.clone().or_else(|| {
            by_profile.then(|| {
                format!(
                    "{} does not allow waivers of {} provisions",
                    profile.name,
                    p.category.replace('_', " ")
                )
            })
        });
        Self {
            waivable: p.waivable && !by_profile,
            non_waivable_reason: reason,
            citation: p.citation,
            title: p.title,
            category: p.category,
            effective_from: p.effective_from,
            effective_to: p.effective_to,
        }
    }
}

/// The state's rules as data, which Leeway runs every program by: its
/// waiver program and its learning networks.
#[derive(SimpleObject, Clone)]
#[graphql(name = "StateProfile")]
pub struct StateProfileView {
    /// The profile's short code, e.g. `WV`; each case records it as
    /// `stateProfile`.
    pub code: String,
    /// The state's name, e.g. "West Virginia".
    pub name: String,
    /// The waiver program's rules in this state.
    pub waivers: WaiverRulesView,
    /// The state's learning networks (as the `networks` query gives them).
    pub networks: Vec<NetworkProgramView>,
    /// The annual usage report the state's law requires; null when it asks
    /// for none.
    pub report: Option<ReportRulesView>,
}

/// What the statute asks of the annual usage report.
#[derive(SimpleObject, Clone)]
#[graphql(name = "ReportRules")]
pub struct ReportRulesView {
    /// The report's title.
    pub name: String,
    /// The law that requires it, e.g. `C.R.S. 22-32.5-111`.
    pub statute: String,
    /// The day each reporting year starts, `MM-DD`, e.g. `07-01`.
    pub year_starts: String,
    /// The day compilation of a finished year starts, `MM-DD`.
    pub compile_on: String,
    /// The statutory due date, `MM-DD`, e.g. `03-01`.
    pub due: String,
    /// Student counts from 1 to this less one are withheld, with enough
    /// others that none can be worked back out.
    pub suppression_threshold: i32,
    /// Committee and office addresses it is delivered to, beside every
    /// legislator.
    pub recipients: Vec<String>,
}

/// The waiver program's rules in this state.
#[derive(SimpleObject, Clone)]
#[graphql(name = "WaiverRules")]
pub struct WaiverRulesView {
    /// The program's name as the state calls it, e.g. "West Virginia
    /// innovation zones"; refusals quote it.
    pub name: String,
    /// The law the program runs under, e.g. `W. Va. Code 18-5B`; notices
    /// quote it.
    pub statute: String,
    /// How long the state has to decide after submission, e.g. `60d` (units
    /// `d`, `h`, `m`, `s`). When it runs out the request escalates to the
    /// approvers; it is never approved by default.
    pub review_decision_clock: String,
    /// How long before the term ends the district is told, e.g. `90d`.
    pub expiry_notice: String,
    /// How long an approved waiver's term runs, in words, e.g. "5 years from
    /// approval".
    pub term_rule: String,
    /// The share of the local board's whole membership that must vote yes:
    /// `2/3`, `80%` or `majority`; null when no board vote is required.
    pub board_vote_threshold: Option<String>,
    /// The share of eligible employees that must vote yes, written the same
    /// way; null when no staff vote is required.
    pub staff_vote_threshold: Option<String>,
    /// Whether the staff vote must be by secret ballot.
    pub staff_vote_secret_ballot: bool,
    /// When a public hearing is required: the days the plan must be posted
    /// before the board votes. Null when none is required.
    pub public_hearing_posting_days: Option<i32>,
    /// Provision categories this state never lets be waived, whatever the
    /// catalog says of a provision.
    pub non_waivable_categories: Vec<String>,
}

impl From<&StateProfile> for StateProfileView {
    fn from(p: &StateProfile) -> Self {
        let w = &p.waivers;
        Self {
            code: p.code.clone(),
            name: p.name.clone(),
            waivers: WaiverRulesView {
                name: w.name.clone(),
                statute: w.statute.clone(),
                review_decision_clock: w.clocks.review_decision.to_string(),
                expiry_notice: w.clocks.expiry_notice.to_string(),
                term_rule: w.term.describe(),
                board_vote_threshold: w.board_vote.as_ref().map(|b| b.threshold.to_string()),
                staff_vote_threshold: w.staff_vote.as_ref().map(|s| s.threshold.to_string()),
                staff_vote_secret_ballot: w.staff_vote.as_ref().is_some_and(|s| s.secret_ballot),
                public_hearing_posting_days: w
                    .public_hearing
                    .as_ref()
                    .map(|h| h.posting_days as i32),
                non_waivable_categories: w.non_waivable_categories.clone(),
            },
            networks: p.networks.iter().map(NetworkProgramView::from).collect(),
            report: p.report.as_ref().map(|r| ReportRulesView {
                name: r.name.clone(),
                statute: r.statute.clone(),
                year_starts: r.year_starts.to_string(),
                compile_on: r.compile_on.to_string(),
                due: r.due.to_string(),
                suppression_threshold: i32::try_from(r.suppression_threshold).unwrap_or(i32::MAX),
                recipients: r.recipients.clone(),
            }),
        }
    }
}

//! What every case reads as in GraphQL, whatever its program: the `Case`
//! interface, and `CaseCore`, the header and records each program's type
//! flattens into itself (history and audit trail, notifications, open
//! deadlines, snapshots).
use super::audit_types::AuditEntryView;
use super::caller;
use super::case_loaders::{
    DeadlinesOf, DocumentOf, HistoryOf, NotificationsOf, OrganisationOf, PeopleOf, SnapshotsOf,
    records,
};
use super::content_types::{CaseContent, case_content};
use super::grant_types::{GrantProgramView, GrantView};
use super::network_types::{MembershipView, NetworkView};
use super::organisation_types::OrganisationView;
use super::progress_types::ProgressReportView;
use super::report_types::AnnualReportView;
use super::role_types::EmailStatus;
use super::waiver_types::WaiverCaseView;
use async_graphql::{ComplexObject, Context, Enum, Interface, Result, SimpleObject};
use chrono::{DateTime, Utc};
use leeway_entities::case;
use leeway_machines::engine::transition::StateInfo;
use serde::{Deserialize, Serialize};

/// Which program a case belongs to.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
pub enum ProgramKind {
    /// An innovation-waiver request.
    Waiver,
    /// A district's application to a learning network, and its membership.
    NetworkMembership,
    /// A learning network itself, which holds its cap.
    Network,
    /// A grant program, which holds its appropriation's ledger.
    GrantProgram,
    /// A district's grant application, and its grant once awarded.
    Grant,
    /// A year's annual report to the legislature.
    AnnualReport,
    /// A waiver's yearly progress report.
    WaiverProgress,
}

impl ProgramKind {
    pub fn parse(program: &str) -> Option<Self> {
        match program {
            "waiver" => Some(Self::Waiver),
            "network_membership" => Some(Self::NetworkMembership),
            "network" => Some(Self::Network),
            "grant_program" => Some(Self::GrantProgram),
            "grant" => Some(Self::Grant),
            "annual_report" => Some(Self::AnnualReport),
            "waiver_progress" => Some(Self::WaiverProgress),
            _ => None,
        }
    }
}

/// The header and records every case has.
#[derive(SimpleObject, Clone, Debug, Serialize, Deserialize)]
#[graphql(complex)]
pub struct CaseCore {
    /// The case's id, stable for its life: `waiver-…` for a waiver request,
    /// `membership-…` for a network application, `network-<code>` for a
    /// network's own case.
    pub id: String,
    /// Which program the case belongs to.
    pub program: ProgramKind,
    /// The state's stable name in its program (see `workflowDefinitions`).
    pub state_name: String,
    /// The state as a clerk would say it.
    pub state_label: String,
    /// The district or charter the case belongs to; none for the SEA's own.
    pub organisation_id: Option<String>,
    /// The code of the state profile the case runs under, e.g. `WV`.
    pub state_profile: String,
    /// The case's name in lists: a waiver request's own title (empty until
    /// the draft has one), `<network name>: <organisation id>` for an
    /// application, or the network's name.
    pub title: String,
    /// Submitted versions so far.
    pub version: i32,
    /// The number of the last step recorded.
    pub last_step: i32,
    /// The user id of the person who opened the case; `system` for a
    /// network's own case.
    pub opened_by: String,
    /// When the case was opened (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When the case's last step was recorded (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub document_hash: Option<String>,
    /// Steps whose reasons the applicant's staff may not read in this state.
    #[graphql(skip)]
    #[serde(default)]
    pub withheld: Vec<String>,
    /// The SEA reviewers who may read the case's form, where a program
    /// restricts it (a grant's cleared panel); `None`: every reader of the
    /// case may.
    #[graphql(skip)]
    #[serde(default)]
    pub form_readers: Option<Vec<String>>,
}

impl CaseCore {
    pub fn new<S: StateInfo>(m: case::Model) -> Self {
        let state = S::parse(&m.state);
        let label = state.map(|s| s.label()).unwrap_or("unknown");
        let withheld = state
            .map(|s| s.withheld_from_applicant())
            .unwrap_or_default()
            .iter()
            .map(|c| c.to_string())
            .collect();
        Self {
            program: ProgramKind::parse(&m.program).unwrap_or(ProgramKind::Waiver),
            state_label: label.to_string(),
            state_name: m.state,
            id: m.id,
            organisation_id: m.organisation_id,
            state_profile: m.state_profile,
            title: m.title,
            version: m.version,
            last_step: m.last_seq,
            opened_by: m.opened_by,
            created_at: m.created_at,
            updated_at: m.updated_at,
            document_hash: m.document_hash,
            withheld,
            form_readers: None,
        }
    }

    /// Whether the caller is the applicant's staff, and this case in a
    /// state where `command`'s reasons and results are withheld from them.
    pub fn withheld_from(&self, ctx: &Context<'_>, command: &str) -> bool {
        self.withheld.iter().any(|c| c == command)
            && caller(ctx).is_ok_and(|who| who.role().is_district())
    }

    /// A document of this case, parsed; `None` for an SEA reviewer the
    /// program does not (yet) let read it, such as one still to declare
    /// their conflicts.
    pub async fn document(
        &self,
        ctx: &Context<'_>,
        hash: &str,
    ) -> Result<Option<serde_json::Value>> {
        if let Some(readers) = &self.form_readers {
            let who = caller(ctx)?;
            if who.role() == leeway_machines::domain::actor::Role::SeaReviewer
                && !readers.contains(&who.actor.user_id)
            {
                return Ok(None);
            }
        }
        let doc = records(ctx)?
            .load_one(DocumentOf(self.id.clone(), hash.to_string()))
            .await?;
        Ok(doc.and_then(|d| serde_json::from_str(&d.body).ok()))
    }
}

/// One submitted version of a case's form (a submission, or a proposed
/// amendment), frozen as reviewers saw it.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Snapshot")]
pub struct SnapshotView {
    /// The version's number, from 1 (see the case's `version`).
    pub version: i32,
    /// SHA-256 of the frozen text; the submitting step's audit entry
    /// records it.
    pub content_hash: String,
    /// The user id of the person who submitted this version.
    pub submitted_by: String,
    /// When this version was submitted (RFC 3339, UTC).
    pub submitted_at: DateTime<Utc>,
    /// The form as submitted: the waiver request or network application.
    pub content: Option<CaseContent>,
}

/// One email a step of the case sent to one recipient, with its delivery.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Notification")]
pub struct NotificationView {
    /// The number of the step that sent it (as `AuditEntry.seq`).
    pub step: i32,
    /// Null for district staff when the recipient is not one of their own
    /// people (SEA staff addresses stay with the SEA).
    pub recipient_email: Option<String>,
    /// The email's subject line.
    pub subject: String,
    /// Where the email stands.
    pub status: EmailStatus,
    /// How many times delivery has been tried.
    pub attempts: i32,
    /// The email's `Message-ID` header, the same on every attempt, e.g.
    /// `<waiver-3f2a1b4c5d.4.1a2b3c4d5e6f@leeway.invalid>`; empty for a
    /// district's staff reading mail sent to SEA staff (it is derived from
    /// the address).
    pub message_id: String,
    /// Why the last attempt failed, as the relay or mailer said; null if it
    /// did not fail, and for district staff whenever `recipientEmail` is null.
    pub last_error: Option<String>,
    /// When the step queued the email (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When the relay accepted the email (RFC 3339, UTC); null until then.
    pub sent_at: Option<DateTime<Utc>>,
    /// Sent again after an attempt whose outcome is unknown (Leeway
    /// stopped between the relay's answer and its record): the recipient
    /// may have it twice, marked `X-Leeway-Possible-Duplicate: yes`.
    pub possible_duplicate: bool,
}

/// A clock the case is running. When it runs out the workflow acts on its
/// own: it escalates, sends a notice, expires, or passes a seat on.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Deadline")]
pub struct DeadlineView {
    /// Which clock: `review_decision`, `expiry_notice` or `term_end` for a
    /// waiver; `offer_acceptance`, `interest_reminder`,
    /// `interest_reconfirmation`, `planning_year`, `recommitment_reminder`,
    /// `recommitment` or `recommitment_grace` for a membership.
    pub kind: String,
    /// When it runs out (RFC 3339, UTC).
    pub due_at: DateTime<Utc>,
    /// What happens when it runs out, in words, e.g. "the seat offered
    /// passes to the next on the wait list unless accepted".
    pub description: String,
}

#[ComplexObject]
impl CaseCore {
    /// The district or charter the case belongs to.
    pub async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<OrganisationView>> {
        let Some(id) = &self.organisation_id else {
            return Ok(None);
        };
        Ok(records(ctx)?
            .load_one(OrganisationOf(id.clone()))
            .await?
            .map(Into::into))
    }

    /// Every step of the case, oldest first, with its hash-chained audit
    /// entry: the case's history and its audit trail.
    #[graphql(complexity = "10 * child_complexity")]
    pub async fn history(&self, ctx: &Context<'_>) -> Result<Vec<AuditEntryView>> {
        let rows = records(ctx)?
            .load_one(HistoryOf(self.id.clone()))
            .await?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|e| {
                let withhold = self.withheld_from(ctx, &e.command);
                let mut view = AuditEntryView::from(e);
                if withhold {
                    view.reasons.clear();
                    view.reasons_withheld = true;
                    // Who scored or declared is the SEA's own too.
                    view.actor_user_id = "withheld".into();
                }
                view
            })
            .collect())
    }

    /// Every email the case's steps sent, with its delivery.
    #[graphql(complexity = "10 * child_complexity")]
    pub async fn notifications(&self, ctx: &Context<'_>) -> Result<Vec<NotificationView>> {
        let rows = records(ctx)?
            .load_one(NotificationsOf(self.id.clone()))
            .await?
            .unwrap_or_default();
        // District staff see the addresses of their own people only.
        let own_people = match caller(ctx) {
            Ok(who) if who.role().is_district() => Some(
                records(ctx)?
                    .load_one(PeopleOf(who.actor.organisation_id.clone()))
                    .await?
                    .unwrap_or_default(),
            ),
            _ => None,
        };
        Ok(rows
            .into_iter()
            .map(|n| {
                let shown = match (&own_people, &n.recipient_user_id) {
                    (None, _) => true,
                    (Some(own), Some(user)) => own.contains(user),
                    (Some(_), None) => false,
                };
                NotificationView {
                    step: n.seq,
                    recipient_email: shown.then_some(n.recipient_email),
                    // A relay's error names the address too.
                    last_error: if shown { n.last_error } else { None },
                    subject: n.subject,
                    status: EmailStatus::parse(&n.status),
                    attempts: n.attempts,
                    // Derived from the address: it would name who got it.
                    message_id: if shown { n.message_id } else { String::new() },
                    created_at: n.created_at,
                    sent_at: n.sent_at,
                    possible_duplicate: n.possible_duplicate,
                }
            })
            .collect())
    }

    /// Clocks now running, soonest first.
    #[graphql(complexity = "10 * child_complexity")]
    pub async fn open_deadlines(&self, ctx: &Context<'_>) -> Result<Vec<DeadlineView>> {
        let rows = records(ctx)?
            .load_one(DeadlinesOf(self.id.clone()))
            .await?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|d| DeadlineView {
                kind: d.kind,
                due_at: d.due_at,
                description: d.description,
            })
            .collect())
    }

    /// Each submitted version, frozen as reviewers saw it.
    #[graphql(complexity = "10 * child_complexity")]
    pub async fn snapshots(&self, ctx: &Context<'_>) -> Result<Vec<SnapshotView>> {
        let rows = records(ctx)?
            .load_one(SnapshotsOf(self.id.clone()))
            .await?
            .unwrap_or_default();
        let mut out = Vec::with_capacity(rows.len());
        for s in rows {
            let content = self.document(ctx, &s.document_hash).await?;
            out.push(SnapshotView {
                version: s.version,
                content_hash: s.document_hash,
                submitted_by: s.submitted_by,
                submitted_at: s.submitted_at,
                content: content.and_then(|c| case_content(self.program, c)),
            });
        }
        Ok(out)
    }
}

/// Gives a program's GraphQL type the inherent methods the `Case`
/// interface calls, by delegating to the `CaseCore` it flattens.
#[macro_export]
macro_rules! case_interface_methods {
    ($ty:ty) => {
        impl $ty {
            pub async fn id(
                &self,
                _ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<&String> {
                Ok(&self.core.id)
            }
            pub async fn program(
                &self,
                _ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<$crate::graphql::case_types::ProgramKind> {
                Ok(self.core.program)
            }
            pub async fn state_name(
                &self,
                _ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<&String> {
                Ok(&self.core.state_name)
            }
            pub async fn state_label(
                &self,
                _ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<&String> {
                Ok(&self.core.state_label)
            }
            pub async fn organisation_id(
                &self,
                _ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<&Option<String>> {
                Ok(&self.core.organisation_id)
            }
            pub async fn title(
                &self,
                _ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<&String> {
                Ok(&self.core.title)
            }
            pub async fn version(
                &self,
                _ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<&i32> {
                Ok(&self.core.version)
            }
            pub async fn last_step(
                &self,
                _ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<&i32> {
                Ok(&self.core.last_step)
            }
            pub async fn created_at(
                &self,
                _ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<&::chrono::DateTime<::chrono::Utc>> {
                Ok(&self.core.created_at)
            }
            pub async fn updated_at(
                &self,
                _ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<&::chrono::DateTime<::chrono::Utc>> {
                Ok(&self.core.updated_at)
            }
            pub async fn history(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<Vec<$crate::graphql::audit_types::AuditEntryView>> {
                self.core.history(ctx).await
            }
            pub async fn notifications(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<Vec<$crate::graphql::case_types::NotificationView>> {
                self.core.notifications(ctx).await
            }
            pub async fn open_deadlines(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<Vec<$crate::graphql::case_types::DeadlineView>> {
                self.core.open_deadlines(ctx).await
            }
            pub async fn snapshots(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<Vec<$crate::graphql::case_types::SnapshotView>> {
                self.core.snapshots(ctx).await
            }
        }
    };
}

/// A case of any program.
// The derive's repeated `field(ty = ...)` arguments are not duplicates.
#[allow(clippy::duplicated_attributes)]
#[derive(Interface)]
#[graphql(
    name = "Case",
    field(
        name = "id",
        ty = "&String",
        desc = "The case's id, stable for its life: `waiver-…` for a waiver request, `membership-…` for a network application, `network-<code>` for a network's own case."
    ),
    field(
        name = "program",
        ty = "ProgramKind",
        desc = "Which program the case belongs to."
    ),
    field(
        name = "state_name",
        ty = "&String",
        desc = "The state's stable name in its program (see `workflowDefinitions`)."
    ),
    field(
        name = "state_label",
        ty = "&String",
        desc = "The state as a clerk would say it."
    ),
    field(
        name = "organisation_id",
        ty = "&Option<String>",
        desc = "The district or charter the case belongs to; none for the SEA's own."
    ),
    field(
        name = "title",
        ty = "&String",
        desc = "The case's name in lists: a waiver request's own title (empty until the draft has one), `<network name>: <organisation id>` for an application, or the network's name."
    ),
    field(name = "version", ty = "&i32", desc = "Submitted versions so far."),
    field(
        name = "last_step",
        ty = "&i32",
        desc = "The number of the last step recorded."
    ),
    field(
        name = "created_at",
        ty = "&DateTime<Utc>",
        desc = "When the case was opened (RFC 3339, UTC)."
    ),
    field(
        name = "updated_at",
        ty = "&DateTime<Utc>",
        desc = "When the case's last step was recorded (RFC 3339, UTC)."
    ),
    field(
        name = "history",
        ty = "Vec<AuditEntryView>",
        desc = "Every step of the case, oldest first, with its hash-chained audit entry: the case's history and its audit trail."
    ),
    field(
        name = "notifications",
        ty = "Vec<NotificationView>",
        desc = "Every email the case's steps sent, with its delivery."
    ),
    field(
        name = "open_deadlines",
        ty = "Vec<DeadlineView>",
        desc = "Clocks now running, soonest first."
    ),
    field(
        name = "snapshots",
        ty = "Vec<SnapshotView>",
        desc = "Each submitted version, frozen as reviewers saw it."
    )
)]
// Built once per `case` read and handed straight to the executor; boxing
// the larger cases would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum CaseNode {
    Waiver(WaiverCaseView),
    NetworkMembership(MembershipView),
    Network(NetworkView),
    GrantProgram(GrantProgramView),
    Grant(GrantView),
    AnnualReport(AnnualReportView),
    WaiverProgress(ProgressReportView),
}

//! One mutation per grant command, on the engine's one command path.
//! What the machine decides on but a client must not choose (the facts
//! about an applicant, a reviewer's ties on record) is looked up here.
use super::case_commands;
use super::grant_inputs::{
    BudgetAmendmentInput, CriterionScoreInput, GrantClaimInput, GrantProgramInput,
    GrantProposalInput, scores,
};
use super::grant_types::{GrantProgramView, GrantView};
use super::inputs::{reasons, text};
use super::money::Cents;
use super::{app, caller};
use crate::error::ApiError;
use async_graphql::{Context, ID, Object, Result};
use leeway_entities::grant_program;
use leeway_machines::domain::actor::Role;
use leeway_machines::grant::machine::{GrantCase, GrantCommand, GrantMachine};
use leeway_machines::grant::program::{GrantProgramCase, GrantProgramCommand};
use leeway_machines::grant::proposal::GrantProposal;
use leeway_machines::grant::terms::{Eligibility, GrantTerms};
use leeway_workflows::engine::host::CaseInput;
use leeway_workflows::programs::{GrantProgramWorkflow, GrantWorkflow};
use sea_orm::EntityTrait;
use serde::Serialize;

#[derive(Default)]
pub struct GrantMutation;

async fn run<A, F, Fut>(
    ctx: &Context<'_>,
    mutation: &str,
    id: &ID,
    key: Option<String>,
    arguments: &A,
    make: F,
) -> Result<GrantView>
where
    A: Serialize,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<GrantCommand, ApiError>>,
{
    case_commands::send::<GrantWorkflow, GrantView, _, _, _>(
        ctx, mutation, id, key, arguments, make,
    )
    .await
}

#[Object]
impl GrantMutation {
    /// SEA program staff (approvers, administrators) create a grant
    /// program as a draft, with its terms and appropriation. It takes no
    /// applications until it is opened (`openGrantProgram`).
    async fn create_grant_program(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The program's terms.")] program: GrantProgramInput,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantProgramView> {
        let who = &caller(ctx)?;
        let app = app(ctx);
        app.require_role(
            who,
            &[Role::SeaApprover, Role::Admin],
            "create_grant_program",
            "Only SEA approvers and administrators create grant programs.",
        )
        .await?;
        let terms = GrantTerms {
            program: program.clone().parse()?,
            rules: app.profile.grants.clone(),
        };
        // What the terms name must exist: the network, the earlier phase.
        if let Eligibility::NetworkMembers {
            network: Some(code),
        } = &terms.program.eligibility
        {
            app.network_rules(code)?;
        }
        if let Some(earlier) = &terms.program.follows {
            app.grant_program(earlier).await?;
        }
        case_commands::open::<GrantProgramWorkflow, GrantProgramView, _, _, _>(
            ctx,
            "createGrantProgram",
            "grant-program-",
            idempotency_key,
            &program,
            |_| async {
                let taken = grant_program::Entity::find()
                    .all(&app.db)
                    .await?
                    .into_iter()
                    .any(|p| p.code.eq_ignore_ascii_case(&terms.program.code));
                if taken {
                    return Err(ApiError::Conflict(format!(
                        "A grant program with the code `{}` already exists; choose another code.",
                        terms.program.code
                    )));
                }
                Ok(CaseInput::open(
                    GrantProgramCase::new(&terms, who.actor.user_id.clone()),
                    terms.clone(),
                    app.profile.code.clone(),
                    who.actor.clone(),
                ))
            },
        )
        .await
    }

    /// SEA program staff open a drafted program: its appropriation's
    /// ledger opens with everything available, and districts may apply in
    /// its window.
    async fn open_grant_program(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The program's code, in any case.")] code: String,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantProgramView> {
        let app = app(ctx);
        let (row, _) = app.grant_program(&code).await?;
        case_commands::send::<GrantProgramWorkflow, GrantProgramView, _, _, _>(
            ctx,
            "openGrantProgram",
            &row.case_id,
            idempotency_key,
            &code,
            || async { Ok(GrantProgramCommand::Open) },
        )
        .await
    }

    /// Opens an application to a grant program, for the caller's district
    /// or charter, while the program is open.
    async fn open_grant_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The program's code, in any case; NOT_FOUND if there is none.")]
        program: String,
        #[graphql(
            desc = "The application as written so far; it may be incomplete until it is submitted."
        )]
        proposal: GrantProposalInput,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        let who = &caller(ctx)?;
        let app = app(ctx);
        if !who.role().is_district() {
            let reason = "Only district and charter staff apply for grants.";
            return Err(app
                .refuse(who, None, "open_grant_application", reason)
                .await
                .into());
        }
        let (row, terms) = app.grant_program(&program).await?;
        app.require_open_program(&row).await?;
        case_commands::open::<GrantWorkflow, GrantView, _, _, _>(
            ctx,
            "openGrantApplication",
            "grant-",
            idempotency_key,
            &(&program, &proposal),
            |id| async {
                let org = who.actor.organisation_id.clone();
                let proposal: GrantProposal = proposal.clone().into();
                let draft = app.proposal_draft(&id, &org, &proposal).await?;
                Ok(CaseInput::open(
                    GrantCase::new(id, &terms, org, who.actor.user_id.clone(), draft),
                    terms.clone(),
                    app.profile.code.clone(),
                    who.actor.clone(),
                ))
            },
        )
        .await
    }

    /// Replaces the application (while a draft, or returned as incomplete).
    async fn edit_grant_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "The application in full; it replaces the text before.")]
        proposal: GrantProposalInput,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        let app = app(ctx);
        let who = caller(ctx)?;
        run(
            ctx,
            "editGrantApplication",
            &id,
            idempotency_key,
            &proposal,
            || async {
                let case = app
                    .case_to_change::<GrantMachine>(&who, "edit_proposal", &id)
                    .await?;
                let org = case.organisation_id.unwrap_or_default();
                let proposal = app
                    .proposal_draft(&id, &org, &proposal.clone().into())
                    .await?;
                Ok(GrantCommand::EditProposal { proposal })
            },
        )
        .await
    }

    /// The authorized representative certifies and submits the
    /// application in the program's window. Eligibility (from the state's
    /// own data: network membership, waivers, the earlier phase) and the
    /// award limits are checked now.
    async fn submit_grant_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        let app = app(ctx);
        let who = caller(ctx)?;
        run(
            ctx,
            "submitGrantApplication",
            &id,
            idempotency_key,
            &(),
            || async {
                let case = app
                    .case_to_change::<GrantMachine>(&who, "submit", &id)
                    .await?;
                let org = case.organisation_id.unwrap_or_default();
                let program = grant_program_of(app, &id).await?;
                let facts = app.applicant_facts(&org, &program).await?;
                Ok(GrantCommand::Submit { facts })
            },
        )
        .await
    }

    /// An SEA reviewer accepts a submitted application as complete (`SUBMITTED` to `IN_REVIEW`); approvers are asked for a panel.
    async fn accept_grant_application_as_complete(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        run(
            ctx,
            "acceptGrantApplicationAsComplete",
            &id,
            idempotency_key,
            &(),
            || async { Ok(GrantCommand::AcceptAsComplete) },
        )
        .await
    }

    /// An SEA reviewer returns a submitted application as incomplete, with
    /// reasons (`SUBMITTED` to `RETURNED`).
    async fn return_grant_application_incomplete(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "What is missing, one per entry; at least one.")] reasons: Vec<String>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        let command = GrantCommand::ReturnIncomplete {
            reasons: self::reasons("reason", &reasons)?,
        };
        run(
            ctx,
            "returnGrantApplicationIncomplete",
            &id,
            idempotency_key,
            &reasons,
            || async { Ok(command) },
        )
        .await
    }

    /// An approver or administrator puts an SEA reviewer on the
    /// application's panel. The reviewer declares conflicts before the
    /// application opens to them.
    async fn assign_grant_reviewer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "The reviewer's user id: an active person holding the `SEA_REVIEWER` role."
        )]
        reviewer_id: String,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        let app = app(ctx);
        run(
            ctx,
            "assignGrantReviewer",
            &id,
            idempotency_key,
            &reviewer_id,
            || async {
                app.require_reviewer(&reviewer_id).await?;
                Ok(GrantCommand::AssignReviewer {
                    reviewer_id: reviewer_id.clone(),
                })
            },
        )
        .await
    }

    /// A reviewer on the panel declares conflicts of interest before
    /// seeing the application. Declaring one recuses them; so does any tie
    /// to the applicant on record for them (a former employer, a board
    /// seat), whatever they declare. A recusal asks approvers for a
    /// replacement.
    async fn declare_grant_conflicts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "The conflict, in the reviewer's words; leave out to declare none.")]
        conflict: Option<String>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        let app = app(ctx);
        let who = caller(ctx)?;
        let declared = conflict
            .as_deref()
            .map(|c| text("conflict", c))
            .transpose()?;
        run(
            ctx,
            "declareGrantConflicts",
            &id,
            idempotency_key,
            &conflict,
            || async {
                let case = app
                    .case_to_change::<GrantMachine>(&who, "declare_conflicts", &id)
                    .await?;
                let org = case.organisation_id.unwrap_or_default();
                let ties = app.reviewer_ties(&who.actor.user_id, &org).await?;
                Ok(GrantCommand::DeclareConflicts {
                    conflict: declared,
                    ties,
                })
            },
        )
        .await
    }

    /// A cleared reviewer scores every criterion of the rubric, with a
    /// comment on each. Once every panel member has scored, the
    /// application is `SCORED` with its aggregate.
    async fn score_grant_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "One score per criterion of the rubric.")] scores: Vec<
            CriterionScoreInput,
        >,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        let command = GrantCommand::Score {
            scores: self::scores(&scores)?,
        };
        run(
            ctx,
            "scoreGrantApplication",
            &id,
            idempotency_key,
            &scores,
            || async { Ok(command) },
        )
        .await
    }

    /// An approver records how a disagreement between reviewers was
    /// reconciled, so that the application can be decided.
    async fn reconcile_grant_scores(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "How the scores were reconciled.")] note: String,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        let command = GrantCommand::Reconcile {
            note: text("note", &note)?,
        };
        run(
            ctx,
            "reconcileGrantScores",
            &id,
            idempotency_key,
            &note,
            || async { Ok(command) },
        )
        .await
    }

    /// The approver awards the grant (`SCORED` to `OFFERED`): in full, or a
    /// reduced amount with reasons. The money is committed from the
    /// appropriation in the same step; an award that does not fit in what
    /// remains is refused with CONFLICT, naming what remains.
    async fn award_grant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "The amount in cents; leave out to award what was requested.")]
        amount: Option<Cents>,
        #[graphql(
            default,
            desc = "Why less than requested is awarded; needed when it is."
        )]
        reasons: Vec<String>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        let command = GrantCommand::Award {
            amount: amount.map(Into::into),
            reasons: self::reasons("reason", &reasons)?,
        };
        run(
            ctx,
            "awardGrant",
            &id,
            idempotency_key,
            &(amount, &reasons),
            || async { Ok(command) },
        )
        .await
    }

    /// The approver declines the application, with reasons.
    async fn decline_grant_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "Why, one per entry; at least one. The district's email lists them.")]
        reasons: Vec<String>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        let command = GrantCommand::Decline {
            reasons: self::reasons("reason", &reasons)?,
        };
        run(
            ctx,
            "declineGrantApplication",
            &id,
            idempotency_key,
            &reasons,
            || async { Ok(command) },
        )
        .await
    }

    /// The authorized representative accepts the award (`OFFERED` to `ACTIVE`); the reports it owes are scheduled.
    async fn accept_grant_award(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        run(
            ctx,
            "acceptGrantAward",
            &id,
            idempotency_key,
            &(),
            || async { Ok(GrantCommand::AcceptAward) },
        )
        .await
    }

    /// The authorized representative declines the award; the money goes
    /// back to the appropriation.
    async fn decline_grant_award(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "Why the award is declined.")] reason: String,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        let command = GrantCommand::DeclineAward {
            reason: text("reason", &reason)?,
        };
        run(
            ctx,
            "declineGrantAward",
            &id,
            idempotency_key,
            &reason,
            || async { Ok(command) },
        )
        .await
    }

    /// District staff claim reimbursement of costs in one budget category.
    /// Refused while a report is overdue (naming it), above the award's
    /// remaining balance (naming it), for costs after the spend-by date,
    /// or when it takes the category more than the profile's threshold over
    /// its budget (amend the budget first).
    async fn submit_grant_claim(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "The claim.")] claim: GrantClaimInput,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        let command = GrantCommand::SubmitClaim {
            category: claim.category.into(),
            amount: claim.amount.into(),
            incurred_on: claim.incurred_on,
            documentation: self::reasons("documentation reference", &claim.documentation)?,
        };
        run(
            ctx,
            "submitGrantClaim",
            &id,
            idempotency_key,
            &claim,
            || async { Ok(command) },
        )
        .await
    }

    /// The fiscal officer approves a claim and records its payment: the
    /// money moves from committed to disbursed in the same step.
    async fn approve_grant_claim(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "The claim's number (`GrantClaim.no`).")] claim: u32,
        #[graphql(desc = "The payment's reference, e.g. a warrant or transfer number.")]
        payment_reference: String,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        let command = GrantCommand::ApproveClaim {
            claim,
            payment_reference: text("payment reference", &payment_reference)?,
        };
        run(
            ctx,
            "approveGrantClaim",
            &id,
            idempotency_key,
            &(claim, &payment_reference),
            || async { Ok(command) },
        )
        .await
    }

    /// The fiscal officer denies a claim, with reasons.
    async fn deny_grant_claim(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "The claim's number (`GrantClaim.no`).")] claim: u32,
        #[graphql(desc = "Why, one per entry; at least one.")] reasons: Vec<String>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        let command = GrantCommand::DenyClaim {
            claim,
            reasons: self::reasons("reason", &reasons)?,
        };
        run(
            ctx,
            "denyGrantClaim",
            &id,
            idempotency_key,
            &(claim, &reasons),
            || async { Ok(command) },
        )
        .await
    }

    /// District staff move money between budget categories. Within the
    /// profile's threshold of the category it takes from, it applies at
    /// once; above, it waits for an approver.
    async fn request_grant_budget_amendment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "The amendment.")] amendment: BudgetAmendmentInput,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        let command = GrantCommand::RequestAmendment {
            from: amendment.from.into(),
            to: amendment.to.into(),
            amount: amendment.amount.into(),
            reason: text("reason", &amendment.reason)?,
        };
        run(
            ctx,
            "requestGrantBudgetAmendment",
            &id,
            idempotency_key,
            &amendment,
            || async { Ok(command) },
        )
        .await
    }

    /// An approver approves a pending budget amendment.
    async fn approve_grant_budget_amendment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "The amendment's number (`BudgetAmendment.no`).")] amendment: u32,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        run(
            ctx,
            "approveGrantBudgetAmendment",
            &id,
            idempotency_key,
            &amendment,
            || async { Ok(GrantCommand::ApproveAmendment { amendment }) },
        )
        .await
    }

    /// An approver denies a pending budget amendment, with reasons.
    async fn deny_grant_budget_amendment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "The amendment's number (`BudgetAmendment.no`).")] amendment: u32,
        #[graphql(desc = "Why, one per entry; at least one.")] reasons: Vec<String>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        let command = GrantCommand::DenyAmendment {
            amendment,
            reasons: self::reasons("reason", &reasons)?,
        };
        run(
            ctx,
            "denyGrantBudgetAmendment",
            &id,
            idempotency_key,
            &(amendment, &reasons),
            || async { Ok(command) },
        )
        .await
    }

    /// District staff submit the next report due: a progress and
    /// expenditure report, or in closeout the final report.
    async fn submit_grant_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "The report: progress toward the goals and what was spent.")]
        narrative: String,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        let command = GrantCommand::SubmitReport {
            narrative: text("report", &narrative)?,
        };
        run(
            ctx,
            "submitGrantReport",
            &id,
            idempotency_key,
            &narrative,
            || async { Ok(command) },
        )
        .await
    }

    /// An SEA reviewer accepts the final report in closeout.
    async fn accept_grant_final_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        run(
            ctx,
            "acceptGrantFinalReport",
            &id,
            idempotency_key,
            &(),
            || async { Ok(GrantCommand::AcceptFinalReport) },
        )
        .await
    }

    /// The fiscal officer closes the grant out once every claim is decided and the final report accepted: what is unspent goes back to the appropriation (available until the fiscal year ends, lapsed after).
    async fn close_out_grant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        run(ctx, "closeOutGrant", &id, idempotency_key, &(), || async {
            Ok(GrantCommand::CloseOut)
        })
        .await
    }

    /// District staff withdraw the application before a decision.
    async fn withdraw_grant_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "Why it is withdrawn.")] reason: String,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<GrantView> {
        let command = GrantCommand::Withdraw {
            reason: text("reason", &reason)?,
        };
        run(
            ctx,
            "withdrawGrantApplication",
            &id,
            idempotency_key,
            &reason,
            || async { Ok(command) },
        )
        .await
    }
}

/// The terms a grant runs under, from its program's row.
async fn grant_program_of(
    app: &crate::context::AppContext,
    id: &str,
) -> Result<GrantTerms, ApiError> {
    let row = leeway_entities::grant_case::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("There is no grant `{id}`.")))?;
    Ok(app.grant_program(&row.program).await?.1)
}

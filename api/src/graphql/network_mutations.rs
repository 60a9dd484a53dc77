//! One mutation per network command, on the engine's one command path.
use super::case_commands;
use super::inputs::{NetworkApplicationInput, reasons, text};
use super::network_types::{MembershipView, NetworkView};
use super::{app, caller};
use crate::error::ApiError;
use async_graphql::{Context, ID, Object, Result};
use leeway_machines::network::application::NetworkApplication;
use leeway_machines::network::membership::{MembershipCase, MembershipCommand, MembershipMachine};
use leeway_machines::network::program::NetworkCommand;
use leeway_workflows::engine::host::CaseInput;
use leeway_workflows::programs::{MembershipWorkflow, NetworkWorkflow};
use serde::Serialize;

#[derive(Default)]
pub struct NetworkMutation;

async fn run<A, F, Fut>(
    ctx: &Context<'_>,
    mutation: &str,
    id: &ID,
    key: Option<String>,
    arguments: &A,
    make: F,
) -> Result<MembershipView>
where
    A: Serialize,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<MembershipCommand, ApiError>>,
{
    case_commands::send::<MembershipWorkflow, MembershipView, _, _, _>(
        ctx, mutation, id, key, arguments, make,
    )
    .await
}

/// A command that carries nothing the client wrote.
async fn simple(
    ctx: &Context<'_>,
    mutation: &str,
    id: &ID,
    key: Option<String>,
    command: MembershipCommand,
) -> Result<MembershipView> {
    run(ctx, mutation, id, key, &(), || async { Ok(command) }).await
}

#[Object]
impl NetworkMutation {
    /// Opens an application to join a network, for the caller's district
    /// or charter.
    async fn open_network_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The network's code, e.g. `IMEN`; NOT_FOUND if the state has no such network. Refused with CONFLICT if the district already has an open application or membership there."
        )]
        network: String,
        #[graphql(
            desc = "The application as written so far; it may be incomplete until it is submitted."
        )]
        application: NetworkApplicationInput,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<MembershipView> {
        let who = &caller(ctx)?;
        let app = app(ctx);
        if !who.role().is_district() {
            let reason = "Only district and charter staff apply to join a network.";
            return Err(app
                .refuse(who, None, "open_network_application", reason)
                .await
                .into());
        }
        let rules = &app.network_rules(&network)?.clone();
        case_commands::open::<MembershipWorkflow, MembershipView, _, _, _>(
            ctx,
            "openNetworkApplication",
            "membership-",
            idempotency_key,
            &(&network, &application),
            |id| async {
                let org = who.actor.organisation_id.clone();
                // Bad input is refused as such before anything else is
                // said, and nothing is stored for an application refused.
                let application: NetworkApplication = application.clone().into();
                let problems = application.check_shape();
                if !problems.is_empty() {
                    return Err(ApiError::Validation(problems.join("; ")));
                }
                app.refuse_second_application(rules, &org, &id).await?;
                let draft = app.application_draft(&id, &org, &application).await?;
                Ok(CaseInput::open(
                    MembershipCase::new(id, rules, org, who.actor.user_id.clone(), draft),
                    rules.clone(),
                    app.profile.code.clone(),
                    who.actor.clone(),
                ))
            },
        )
        .await
    }

    /// Replaces the application (while a draft, or returned as incomplete).
    async fn edit_network_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application's case id, e.g. `membership-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "The application in full; it replaces the text before.")]
        application: NetworkApplicationInput,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<MembershipView> {
        let app = app(ctx);
        let who = caller(ctx)?;
        run(
            ctx,
            "editNetworkApplication",
            &id,
            idempotency_key,
            &application,
            || async {
                let case = app
                    .case_to_change::<MembershipMachine>(&who, "edit_application", &id)
                    .await?;
                let org = case.organisation_id.unwrap_or_default();
                let draft = app
                    .application_draft(&id, &org, &application.clone().into())
                    .await?;
                Ok(MembershipCommand::EditApplication { application: draft })
            },
        )
        .await
    }

    /// The authorized representative certifies the letter of commitment
    /// and submits, while the network's application window is open.
    async fn submit_network_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application's case id, e.g. `membership-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<MembershipView> {
        simple(
            ctx,
            "submitNetworkApplication",
            &id,
            idempotency_key,
            MembershipCommand::Submit,
        )
        .await
    }

    /// An SEA reviewer accepts a submitted application as complete (`SUBMITTED`
    /// to `IN_REVIEW`).
    async fn accept_network_application_as_complete(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application's case id, e.g. `membership-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<MembershipView> {
        simple(
            ctx,
            "acceptNetworkApplicationAsComplete",
            &id,
            idempotency_key,
            MembershipCommand::AcceptAsComplete,
        )
        .await
    }

    /// An SEA reviewer returns a submitted application to the district as
    /// incomplete, with reasons (`SUBMITTED` to `RETURNED`).
    async fn return_network_application_incomplete(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application's case id, e.g. `membership-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "What is missing, one per entry (at most 50, each up to 4,000 characters; blank entries are dropped); at least one. The district's email lists them."
        )]
        reasons: Vec<String>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<MembershipView> {
        let command = MembershipCommand::ReturnIncomplete {
            reasons: self::reasons("reason", &reasons)?,
        };
        run(
            ctx,
            "returnNetworkApplicationIncomplete",
            &id,
            idempotency_key,
            &reasons,
            || async { Ok(command) },
        )
        .await
    }

    /// A reviewer scores the application (0 to 100) and summarises; where
    /// the network ranks its wait list by review, the score orders it.
    async fn review_network_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application's case id, e.g. `membership-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "The score, 0 to 100; a higher one is refused with VALIDATION. Withheld from district staff until the approver decides."
        )]
        score: u32,
        #[graphql(
            desc = "The review in brief, up to 4,000 characters; required. Withheld from district staff until the approver decides."
        )]
        summary: String,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<MembershipView> {
        let command = MembershipCommand::Review {
            score,
            summary: text("summary", &summary)?,
        };
        run(
            ctx,
            "reviewNetworkApplication",
            &id,
            idempotency_key,
            &(score, &summary),
            || async { Ok(command) },
        )
        .await
    }

    /// The approver selects the applicant into the network's cohort. Refused
    /// with CONFLICT when no seat is free under the cap.
    async fn select_network_applicant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application's case id, e.g. `membership-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<MembershipView> {
        simple(
            ctx,
            "selectNetworkApplicant",
            &id,
            idempotency_key,
            MembershipCommand::Select,
        )
        .await
    }

    /// The approver puts the applicant on the wait list.
    async fn wait_list_network_applicant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application's case id, e.g. `membership-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<MembershipView> {
        simple(
            ctx,
            "waitListNetworkApplicant",
            &id,
            idempotency_key,
            MembershipCommand::WaitList,
        )
        .await
    }

    /// An SEA approver declines an application in review or reviewed, with
    /// reasons (`DECLINED`, final); the district may apply again in a later
    /// window.
    async fn decline_network_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application's case id, e.g. `membership-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "Why the application is declined, one per entry (at most 50, each up to 4,000 characters; blank entries are dropped); at least one. The district's email lists them."
        )]
        reasons: Vec<String>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<MembershipView> {
        let command = MembershipCommand::Decline {
            reasons: self::reasons("reason", &reasons)?,
        };
        run(
            ctx,
            "declineNetworkApplication",
            &id,
            idempotency_key,
            &reasons,
            || async { Ok(command) },
        )
        .await
    }

    /// The authorized representative accepts a seat offered from the wait
    /// list.
    async fn accept_network_seat_offer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application's case id, e.g. `membership-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<MembershipView> {
        simple(
            ctx,
            "acceptNetworkSeatOffer",
            &id,
            idempotency_key,
            MembershipCommand::AcceptOffer,
        )
        .await
    }

    /// Declines a seat offered; it passes to the next on the wait list.
    async fn decline_network_seat_offer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application's case id, e.g. `membership-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "Why the seat is declined, up to 4,000 characters; required.")]
        reason: String,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<MembershipView> {
        let command = MembershipCommand::DeclineOffer {
            reason: text("reason", &reason)?,
        };
        run(
            ctx,
            "declineNetworkSeatOffer",
            &id,
            idempotency_key,
            &reason,
            || async { Ok(command) },
        )
        .await
    }

    /// A wait-listed district re-confirms its interest for another year.
    async fn confirm_network_wait_list_interest(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application's case id, e.g. `membership-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<MembershipView> {
        simple(
            ctx,
            "confirmNetworkWaitListInterest",
            &id,
            idempotency_key,
            MembershipCommand::ConfirmInterest,
        )
        .await
    }

    /// The member's yearly re-commitment.
    async fn recommit_to_network(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application's case id, e.g. `membership-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "What the district commits to for the coming year, up to 4,000 characters; required."
        )]
        statement: String,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<MembershipView> {
        let command = MembershipCommand::Recommit {
            statement: text("statement", &statement)?,
        };
        run(
            ctx,
            "recommitToNetwork",
            &id,
            idempotency_key,
            &statement,
            || async { Ok(command) },
        )
        .await
    }

    /// The member leaves; its seat passes to the next on the wait list.
    async fn exit_network(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application's case id, e.g. `membership-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "Why the district leaves the network, up to 4,000 characters; required.")]
        reason: String,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<MembershipView> {
        let command = MembershipCommand::Exit {
            reason: text("reason", &reason)?,
        };
        run(
            ctx,
            "exitNetwork",
            &id,
            idempotency_key,
            &reason,
            || async { Ok(command) },
        )
        .await
    }

    /// The approver ends a membership, with reasons.
    async fn remove_network_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application's case id, e.g. `membership-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "Why the membership is ended, one per entry (at most 50, each up to 4,000 characters; blank entries are dropped); at least one. The district's email lists them."
        )]
        reasons: Vec<String>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<MembershipView> {
        let command = MembershipCommand::Remove {
            reasons: self::reasons("reason", &reasons)?,
        };
        run(
            ctx,
            "removeNetworkMember",
            &id,
            idempotency_key,
            &reasons,
            || async { Ok(command) },
        )
        .await
    }

    /// District staff withdraw an application not yet decided or on the wait
    /// list, saying why (`WITHDRAWN`, final). Refused with CONFLICT if a freed
    /// seat has just been offered to it.
    async fn withdraw_network_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application's case id, e.g. `membership-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "Why the application is withdrawn, up to 4,000 characters; required.")]
        reason: String,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<MembershipView> {
        let command = MembershipCommand::Withdraw {
            reason: text("reason", &reason)?,
        };
        run(
            ctx,
            "withdrawNetworkApplication",
            &id,
            idempotency_key,
            &reason,
            || async { Ok(command) },
        )
        .await
    }

    /// An administrator changes the network's cap, or lifts it (`cap:
    /// null`), citing the law that changed it. New seats are offered to the
    /// wait list in order.
    async fn change_network_cap(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The network's code, e.g. `IMEN`; NOT_FOUND if the state has no such network."
        )]
        network: String,
        #[graphql(
            desc = "The new cap, in member organisations (LEAs), at least 1; null lifts the cap."
        )]
        cap: Option<u32>,
        #[graphql(
            desc = "The statute or rule that changes the cap, up to 4,000 characters; required. The network's history records it."
        )]
        citation: String,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<NetworkView> {
        let who = &caller(ctx)?;
        let app = app(ctx);
        let rules = &app.network_rules(&network)?.clone();
        let command = NetworkCommand::ChangeCap {
            cap,
            citation: text("citation", &citation)?,
        };
        let view = app
            .idempotent(
                who,
                "changeNetworkCap",
                idempotency_key,
                &(&network, cap, &citation),
                |attempt| async move {
                    let case = app
                        .command::<NetworkWorkflow>(
                            who,
                            &rules.case_id(),
                            command,
                            attempt.update_id("command"),
                        )
                        .await?;
                    Ok(NetworkView::new(case, &rules.code))
                },
            )
            .await?;
        Ok(view)
    }
}

//! Mutations every program shares.
use super::case_types::ProgramKind;
use super::{app, caller};
use async_graphql::{Context, ID, Object, Result, SimpleObject};

#[derive(Default)]
pub struct CaseMutation;

/// What a redelivery reached.
#[derive(SimpleObject)]
pub struct Redelivery {
    /// The case whose emails were sent again.
    pub case_id: String,
    /// The case's program.
    pub program: ProgramKind,
}

#[Object]
impl CaseMutation {
    /// Sends again every email of a case that has not gone out (a relay
    /// that was down, say). For administrators; each email still goes out
    /// at most once. Read the case's `notifications` for the outcome.
    async fn redeliver_notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The id of a case of any program; NOT_FOUND if there is none.")] id: ID,
    ) -> Result<Redelivery> {
        let who = caller(ctx)?;
        let case = app(ctx).redeliver(&who, &id).await?;
        Ok(Redelivery {
            program: ProgramKind::parse(&case.program).unwrap_or(ProgramKind::Waiver),
            case_id: case.id,
        })
    }
}

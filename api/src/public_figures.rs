//! What the public transparency page shows, read from the read model:
//! waivers in force by provision and by district, network members, and
//! grants awarded. Nothing here needs a login; nothing here counts
//! students (those numbers go through the report's suppression first).
use crate::error::ApiResult;
use crate::graphql::grant_types::PublicAwardView;
use crate::graphql::network_types::NetworkMemberView;
use chrono::{DateTime, Utc};
use leeway_entities::{case, organisation, provision, waiver_item, waiver_request};
use leeway_machines::domain::state_profile::StateProfile;
use leeway_machines::engine::transition::StateInfo;
use leeway_machines::waiver::machine::WaiverState;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::Serialize;
use std::collections::BTreeMap;

/// One district's waiver in force.
#[derive(Clone, Debug, Serialize)]
pub struct WaiverInForce {
    pub case_id: String,
    pub organisation_name: String,
    pub title: String,
    /// Citations of the provisions waived.
    pub provisions: Vec<String>,
    pub term_end: Option<String>,
}

/// One provision and the waivers of it in force.
#[derive(Clone, Debug, Serialize)]
pub struct ProvisionInUse {
    pub citation: String,
    pub title: String,
    pub waivers: usize,
    pub districts: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct NetworkMembers {
    pub name: String,
    pub statute: String,
    pub members: Vec<NetworkMemberRow>,
}

#[derive(Clone, Debug, Serialize)]
pub struct NetworkMemberRow {
    pub organisation_name: String,
    pub cohort: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct GrantRow {
    pub program_name: String,
    pub organisation_name: String,
    pub amount: String,
    pub purpose: String,
}

/// Everything the page shows.
#[derive(Clone, Debug, Serialize)]
pub struct PublicFigures {
    pub state_name: String,
    pub waivers: Vec<WaiverInForce>,
    pub provisions: Vec<ProvisionInUse>,
    pub networks: Vec<NetworkMembers>,
    pub grants: Vec<GrantRow>,
    pub grants_total: String,
    pub reports: Vec<ReportRow>,
    pub as_of: String,
}

/// A published annual report, with its files.
#[derive(Clone, Debug, Serialize)]
pub struct ReportRow {
    pub title: String,
    pub year_label: String,
    pub certified_on: String,
    pub files: Vec<ReportFileRow>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportFileRow {
    /// "PDF", "CSV" or "JSON".
    pub kind: String,
    pub name: String,
    pub url: String,
    pub sha256: String,
}

/// Waivers in force at `now`: approved, not revoked or expired, term not
/// over, with the provisions their decision approved.
pub async fn waivers_in_force(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> ApiResult<Vec<WaiverInForce>> {
    let in_force = [
        WaiverState::Active,
        WaiverState::AmendmentProposed,
        WaiverState::RenewalRequested,
    ]
    .map(|s| s.name());
    let cases = case::Entity::find()
        .filter(case::Column::Program.eq("waiver"))
        .filter(case::Column::State.is_in(in_force))
        .all(db)
        .await?;
    let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    let terms: BTreeMap<String, waiver_request::Model> = waiver_request::Entity::find()
        .filter(waiver_request::Column::CaseId.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|w| (w.case_id.clone(), w))
        .collect();
    let items = waiver_item::Entity::find()
        .filter(waiver_item::Column::CaseId.is_in(ids))
        .filter(waiver_item::Column::Decision.is_in(["approved", "approved_with_conditions"]))
        .all(db)
        .await?;
    let names = organisation_names(db).await?;
    let mut out: Vec<WaiverInForce> = cases
        .into_iter()
        .filter(|c| WaiverState::parse(&c.state).is_some())
        .filter_map(|c| {
            let term_end = terms.get(&c.id).and_then(|t| t.term_end);
            if term_end.is_some_and(|end| end <= now) {
                return None;
            }
            let mut provisions: Vec<String> = items
                .iter()
                .filter(|i| i.case_id == c.id)
                .map(|i| i.citation.clone())
                .collect();
            provisions.sort();
            provisions.dedup();
            let org = c.organisation_id.clone().unwrap_or_default();
            Some(WaiverInForce {
                organisation_name: names.get(&org).cloned().unwrap_or(org),
                title: c.title,
                provisions,
                term_end: term_end.map(|t| t.format("%Y-%m-%d").to_string()),
                case_id: c.id,
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.organisation_name, &a.case_id).cmp(&(&b.organisation_name, &b.case_id)));
    Ok(out)
}

async fn organisation_names(db: &DatabaseConnection) -> ApiResult<BTreeMap<String, String>> {
    Ok(organisation::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// The waivers in force, turned around: each provision waived, how often
/// and by whom, most-waived first.
pub async fn provisions_in_use(
    db: &DatabaseConnection,
    waivers: &[WaiverInForce],
) -> ApiResult<Vec<ProvisionInUse>> {
    let titles: BTreeMap<String, String> = provision::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.citation, p.title))
        .collect();
    let mut by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for w in waivers {
        for p in &w.provisions {
            by.entry(p.as_str())
                .or_default()
                .push(w.organisation_name.as_str());
        }
    }
    let mut out: Vec<ProvisionInUse> = by
        .into_iter()
        .map(|(citation, districts)| {
            let mut unique: Vec<String> = districts.iter().map(|d| d.to_string()).collect();
            unique.sort();
            unique.dedup();
            ProvisionInUse {
                title: titles.get(citation).cloned().unwrap_or_default(),
                citation: citation.to_string(),
                waivers: districts.len(),
                districts: unique,
            }
        })
        .collect();
    out.sort_by(|a, b| b.waivers.cmp(&a.waivers).then(a.citation.cmp(&b.citation)));
    Ok(out)
}

pub async fn load(
    db: &DatabaseConnection,
    profile: &StateProfile,
    now: DateTime<Utc>,
) -> ApiResult<PublicFigures> {
    let waivers = waivers_in_force(db, now).await?;
    let provisions = provisions_in_use(db, &waivers).await?;
    let mut networks = Vec::new();
    for n in &profile.networks {
        let members = NetworkMemberView::of_network(db, &n.code).await?;
        networks.push(NetworkMembers {
            name: n.name.clone(),
            statute: n.statute.clone(),
            members: members
                .into_iter()
                .map(|m| NetworkMemberRow {
                    organisation_name: m.organisation_name,
                    cohort: m.cohort.unwrap_or_default(),
                })
                .collect(),
        });
    }
    let awards = PublicAwardView::all(db, None).await?;
    let total: leeway_machines::domain::money::Cents = awards
        .iter()
        .map(|a| leeway_machines::domain::money::Cents(a.amount.0))
        .sum();
    Ok(PublicFigures {
        state_name: profile.name.clone(),
        waivers,
        provisions,
        networks,
        grants: awards
            .into_iter()
            .map(|a| GrantRow {
                program_name: a.program_name,
                organisation_name: a.organisation_name,
                amount: leeway_machines::domain::money::Cents(a.amount.0).to_string(),
                purpose: a.purpose,
            })
            .collect(),
        grants_total: total.to_string(),
        reports: Box::pin(crate::graphql::report_types::PublishedReportView::all(db))
            .await?
            .into_iter()
            .map(|r| ReportRow {
                title: r.title,
                year_label: r.year_label,
                certified_on: r.certified_at.format("%-d %B %Y").to_string(),
                files: r
                    .files
                    .into_iter()
                    .map(|f| ReportFileRow {
                        kind: f
                            .name
                            .rsplit_once('.')
                            .map(|(_, e)| e.to_ascii_uppercase())
                            .unwrap_or_default(),
                        name: f.name,
                        url: f.url,
                        sha256: f.sha256,
                    })
                    .collect(),
            })
            .collect(),
        as_of: now.format("%Y-%m-%d %H:%M UTC").to_string(),
    })
}

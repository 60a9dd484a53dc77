//! A synthetic state for the report's tests and benchmark: many districts
//! over many years of waiver requests, written straight into the read
//! model and the audit trail as the record step would leave them, and the
//! figures they should give, counted here in plain Rust, independently of
//! the SQL that compiles them.
use crate::report_figures::{Period, ProvisionFigures};
use chrono::{DateTime, Duration, TimeZone, Utc};
use leeway_entities::{audit_entry, case, organisation, waiver_item, waiver_reach, waiver_request};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};
use std::collections::BTreeMap;

/// How a waiver ended, if it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Expired,
    Revoked,
}

#[derive(Clone, Debug)]
pub struct SyntheticWaiver {
    pub case_id: String,
    pub organisation_id: String,
    pub submitted: DateTime<Utc>,
    /// When it was decided, with each item's outcome in `items`.
    pub decided: Option<DateTime<Utc>>,
    /// Citation and outcome (`approved`, `approved_with_conditions`,
    /// `denied`, or none while undecided).
    pub items: Vec<(String, Option<&'static str>)>,
    pub term: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub ended: Option<(DateTime<Utc>, Ending)>,
}

/// xorshift64*: seeded, so a run can be repeated.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// `districts` districts, each filing about one request a year for
/// `years` school years from July of `first_year`; most are approved for
/// three years, some denied, some revoked, some still undecided.
pub fn generate(districts: usize, years: i32, first_year: i32, seed: u64) -> Vec<SyntheticWaiver> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut out = Vec::with_capacity(districts * years as usize);
    for d in 0..districts {
        for y in 0..years {
            if rng.below(10) == 0 {
                continue; // a year without a request
            }
            let start = Utc
                .with_ymd_and_hms(first_year + y, 7, 1, 0, 0, 0)
                .single()
                .unwrap_or_default();
            let submitted = start + Duration::hours(rng.below(24 * 360) as i64);
            let items: Vec<String> = (0..1 + rng.below(4))
                .map(|_| format!("DS 22-{}-{:03}", 1 + rng.below(9), rng.below(40)))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let fate = rng.below(20);
            let (decided, outcome) = match fate {
                0 => (None, None),
                1..=3 => (Some(submitted + Duration::days(40)), Some("denied")),
                4..=6 => (
                    Some(submitted + Duration::days(55)),
                    Some("approved_with_conditions"),
                ),
                _ => (Some(submitted + Duration::days(50)), Some("approved")),
            };
            let approved = matches!(outcome, Some("approved" | "approved_with_conditions"));
            let term = decided
                .filter(|_| approved)
                .map(|at| (at, at + Duration::days(3 * 365)));
            let now = Utc
                .with_ymd_and_hms(2026, 11, 24, 0, 0, 0)
                .single()
                .unwrap_or_default();
            let ended = term.and_then(|(from, to)| {
                if rng.below(12) == 0 {
                    Some((from + Duration::days(200), Ending::Revoked))
                } else if to <= now {
                    Some((to, Ending::Expired))
                } else {
                    None
                }
            });
            out.push(SyntheticWaiver {
                case_id: format!("waiver-syn-{d:05}-{y:02}"),
                organisation_id: format!("syn-{d:05}"),
                submitted,
                decided,
                items: items.into_iter().map(|c| (c, outcome)).collect(),
                term,
                ended,
            });
        }
    }
    out
}

fn audit(
    chain: &str,
    seq: i32,
    at: DateTime<Utc>,
    from: &str,
    to: &str,
    command: &str,
) -> audit_entry::ActiveModel {
    audit_entry::ActiveModel {
        chain: Set(chain.to_string()),
        seq: Set(seq),
        case_id: Set(Some(chain.to_string())),
        at: Set(at),
        actor_user_id: Set("synthetic".into()),
        actor_role: Set("system".into()),
        from_state: Set(from.into()),
        to_state: Set(to.into()),
        command: Set(command.into()),
        reasons: Set("[]".into()),
        snapshot_hash: Set(None),
        state_hash: Set(None),
        prev_hash: Set(String::new()),
        hash: Set(String::new()),
        ..Default::default()
    }
}

/// Writes the waivers into the read model and the audit trail, in batches.
pub async fn load<C: ConnectionTrait>(db: &C, waivers: &[SyntheticWaiver]) -> Result<(), DbErr> {
    for batch in waivers.chunks(200) {
        let mut cases = Vec::new();
        let mut items = Vec::new();
        let mut requests = Vec::new();
        let mut entries = Vec::new();
        let mut reach = Vec::new();
        for w in batch {
            let state = match (w.decided, w.items.first().and_then(|i| i.1), w.ended) {
                (None, _, _) => "submitted",
                (_, Some("denied"), _) => "denied",
                (_, _, Some((_, Ending::Revoked))) => "revoked",
                (_, _, Some((_, Ending::Expired))) => "expired",
                _ => "active",
            };
            cases.push(case::ActiveModel {
                id: Set(w.case_id.clone()),
                program: Set("waiver".into()),
                organisation_id: Set(Some(w.organisation_id.clone())),
                state_profile: Set("SYN".into()),
                title: Set(format!("Request of {}", w.organisation_id)),
                state: Set(state.into()),
                version: Set(1),
                document_hash: Set(None),
                assigned_reviewer_id: Set(None),
                last_seq: Set(3),
                opened_by: Set("synthetic".into()),
                created_at: Set(w.submitted),
                updated_at: Set(w.submitted),
            });
            for (position, (citation, decision)) in w.items.iter().enumerate() {
                items.push(waiver_item::ActiveModel {
                    case_id: Set(w.case_id.clone()),
                    position: Set(position as i32),
                    citation: Set(citation.clone()),
                    rationale: Set(String::new()),
                    replacement_practice: Set(String::new()),
                    goal: Set(String::new()),
                    measure: Set(String::new()),
                    decision: Set(w.decided.and(decision.map(str::to_string))),
                    conditions: Set(None),
                    decision_reason: Set(None),
                    ..Default::default()
                });
            }
            requests.push(waiver_request::ActiveModel {
                case_id: Set(w.case_id.clone()),
                escalated: Set(false),
                term_start: Set(w.term.map(|t| t.0)),
                term_end: Set(w.term.map(|t| t.1)),
                recommendation: Set(None),
                pending_amendment_hash: Set(None),
                applicant_kind: Set(Some("district".into())),
            });
            reach.push(waiver_reach::ActiveModel {
                case_id: Set(w.case_id.clone()),
                organisation_id: Set(w.organisation_id.clone()),
            });
            entries.push(audit(
                &w.case_id,
                1,
                w.submitted,
                "draft",
                "submitted",
                "submit",
            ));
            if let Some(at) = w.decided {
                let to = if state == "denied" {
                    "denied"
                } else {
                    "active"
                };
                entries.push(audit(&w.case_id, 2, at, "in_review", to, "decide"));
            }
            if let Some((at, how)) = w.ended {
                let (to, command) = match how {
                    Ending::Expired => ("expired", "expire"),
                    Ending::Revoked => ("revoked", "revoke"),
                };
                entries.push(audit(&w.case_id, 3, at, "active", to, command));
            }
        }
        case::Entity::insert_many(cases).exec(db).await?;
        waiver_item::Entity::insert_many(items).exec(db).await?;
        waiver_request::Entity::insert_many(requests)
            .exec(db)
            .await?;
        waiver_reach::Entity::insert_many(reach).exec(db).await?;
        audit_entry::Entity::insert_many(entries).exec(db).await?;
    }
    Ok(())
}

/// One synthetic district's students.
#[derive(Clone, Debug)]
pub struct SyntheticDistrict {
    pub id: String,
    pub enrollment: i64,
    pub subgroups: BTreeMap<String, i64>,
}

/// The districts `generate` files for, each with an enrollment and its
/// subgroups; a few are tiny, so some subgroup counts are small.
pub fn districts(districts: usize, seed: u64) -> Vec<SyntheticDistrict> {
    let mut rng = Rng(seed.wrapping_mul(0xD1B5_4A32_D192_ED03) | 1);
    (0..districts)
        .map(|d| {
            let enrollment = if rng.below(15) == 0 {
                5 + rng.below(40)
            } else {
                200 + rng.below(20_000)
            } as i64;
            let share = |rng: &mut Rng, most: u64| enrollment * rng.below(most) as i64 / 100;
            let mut subgroups = BTreeMap::new();
            subgroups.insert("economically_disadvantaged".into(), share(&mut rng, 70));
            subgroups.insert("english_learners".into(), share(&mut rng, 30));
            subgroups.insert("students_with_disabilities".into(), share(&mut rng, 20));
            let hispanic = share(&mut rng, 60);
            subgroups.insert("race_hispanic_or_latino".into(), hispanic);
            subgroups.insert("race_white".into(), enrollment - hispanic);
            SyntheticDistrict {
                id: format!("syn-{d:05}"),
                enrollment,
                subgroups,
            }
        })
        .collect()
}

/// Writes the districts as organisations.
pub async fn load_districts<C: ConnectionTrait>(
    db: &C,
    districts: &[SyntheticDistrict],
) -> Result<(), DbErr> {
    let at = Utc
        .with_ymd_and_hms(2015, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    for batch in districts.chunks(200) {
        let rows = batch.iter().map(|d| organisation::ActiveModel {
            id: Set(d.id.clone()),
            name: Set(format!("Synthetic district {}", d.id)),
            kind: Set("district".into()),
            parent_id: Set(None),
            enrollment: Set(i32::try_from(d.enrollment).ok()),
            subgroups: Set(serde_json::to_string(&d.subgroups).unwrap_or_default()),
            created_at: Set(at),
            equity_flags: Set("[]".into()),
        });
        organisation::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// Whether a waiver is in force in `year`: approved, its term overlapping
/// the year, not ended before it.
fn in_force(w: &SyntheticWaiver, year: Period) -> bool {
    let approved = w.decided.is_some()
        && w.items
            .iter()
            .any(|(_, d)| matches!(d, Some("approved" | "approved_with_conditions")));
    approved
        && w.term
            .is_some_and(|(from, to)| from < year.ends && to > year.starts)
        && w.ended.is_none_or(|(at, _)| at > year.starts)
}

/// The districts of innovation in force in `year`, and how many of them
/// had their first approved waiver begin in it, counted district by
/// district.
pub fn expected_districts(waivers: &[SyntheticWaiver], year: Period) -> (i64, i64) {
    let mut first: BTreeMap<&str, DateTime<Utc>> = BTreeMap::new();
    let mut active = std::collections::BTreeSet::new();
    for w in waivers {
        let approved = w.decided.is_some()
            && w.items
                .iter()
                .any(|(_, d)| matches!(d, Some("approved" | "approved_with_conditions")));
        if let (true, Some((from, _))) = (approved, w.term) {
            let f = first.entry(&w.organisation_id).or_insert(from);
            *f = (*f).min(from);
        }
        if in_force(w, year) {
            active.insert(w.organisation_id.as_str());
        }
    }
    let new = active
        .iter()
        .filter(|d| {
            first
                .get(*d)
                .is_some_and(|f| year.starts <= *f && *f < year.ends)
        })
        .count();
    (active.len() as i64, new as i64)
}

/// The students the year's waivers reach, and each subgroup's, summed
/// district by district.
pub fn expected_students(
    waivers: &[SyntheticWaiver],
    districts: &[SyntheticDistrict],
    year: Period,
) -> (i64, BTreeMap<String, i64>) {
    let reached: std::collections::BTreeSet<&str> = waivers
        .iter()
        .filter(|w| in_force(w, year))
        .map(|w| w.organisation_id.as_str())
        .collect();
    let mut students = 0;
    let mut groups = BTreeMap::new();
    for d in districts.iter().filter(|d| reached.contains(d.id.as_str())) {
        students += d.enrollment;
        for (g, n) in &d.subgroups {
            *groups.entry(g.clone()).or_insert(0) += n;
        }
    }
    (students, groups)
}

/// The figures the waivers should give for `year`, counted item by item.
pub fn expected(waivers: &[SyntheticWaiver], year: Period) -> Vec<ProvisionFigures> {
    let within = |at: DateTime<Utc>| year.starts <= at && at < year.ends;
    let mut by: BTreeMap<String, ProvisionFigures> = BTreeMap::new();
    for w in waivers {
        for (citation, decision) in &w.items {
            let f = by
                .entry(citation.clone())
                .or_insert_with(|| ProvisionFigures {
                    citation: citation.clone(),
                    ..Default::default()
                });
            let decided_in = w.decided.is_some_and(within);
            let approved = w.decided.is_some()
                && matches!(decision, Some("approved" | "approved_with_conditions"));
            f.requested += i64::from(within(w.submitted));
            f.approved += i64::from(decided_in && approved);
            f.denied += i64::from(decided_in && *decision == Some("denied"));
            let overlaps = w
                .term
                .is_some_and(|(from, to)| from < year.ends && to > year.starts);
            let not_ended_before = w.ended.is_none_or(|(at, _)| at > year.starts);
            f.active += i64::from(approved && overlaps && not_ended_before);
            f.expired += i64::from(
                approved
                    && w.ended
                        .is_some_and(|(at, h)| h == Ending::Expired && within(at)),
            );
            f.revoked += i64::from(
                approved
                    && w.ended
                        .is_some_and(|(at, h)| h == Ending::Revoked && within(at)),
            );
        }
    }
    by.into_values()
        .filter(|f| f.requested + f.approved + f.denied + f.active + f.expired + f.revoked > 0)
        .collect()
}

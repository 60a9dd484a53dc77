//! Turns a year's figures and the staff's words into the report as it is
//! published. Every student count, and every percentage computed from one,
//! passes through the state's suppression rule here: what leaves this
//! module is safe to print, email and post. Counts of waivers, provisions,
//! districts and dollars are not about students and are printed whole.
use crate::report_compile::ReportFigures;
use crate::report_document::{Anchor, Bar, BarChart, ReportDocument, Section, Table, WITHHELD};
use chrono::{DateTime, Utc};
use leeway_machines::report::machine::Narrative;
use leeway_machines::report::rules::ReportRules;
use leeway_machines::report::suppression::{
    Cell, Rate, SuppressedList, SuppressionRule, rate, suppress_list,
};

/// Subgroups whose names start with this partition students by race and
/// ethnicity; every other subgroup is a group each student is in or not.
pub const RACE_PREFIX: &str = "race_";

/// How many of the most-waived provisions the policy audit lists.
const AUDIT_CANDIDATES: usize = 5;

/// What the cover says about the draft.
pub struct DraftLine {
    pub version: u32,
    pub made_at: DateTime<Utc>,
}

fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// "1 provision", "3 provisions".
fn many(n: i64, one: &str, more: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { more })
}

fn dollars(cents: i64) -> String {
    format!("${}", count(cents / 100))
}

fn cell(c: Cell) -> String {
    c.published()
        .map_or_else(|| WITHHELD.to_string(), |n| count(n as i64))
}

fn percent(r: Rate) -> String {
    match r {
        Rate::Published(share) => format!("{:.1}%", share * 100.0),
        Rate::Suppressed => WITHHELD.to_string(),
        Rate::Undefined => "n/a".to_string(),
    }
}

/// Words of subgroup names that are proper nouns.
const PROPER: [&str; 11] = [
    "african", "alaska", "american", "asian", "hawaiian", "hispanic", "indian", "islander",
    "latino", "native", "pacific",
];

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "english_learners" → "English learners"; "race_american_indian" →
/// "American Indian".
pub fn subgroup_label(name: &str) -> String {
    let words = name.strip_prefix(RACE_PREFIX).unwrap_or(name);
    words
        .split('_')
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, w)| {
            if i == 0 || PROPER.contains(&w) {
                capitalised(w)
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn u(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// One student count against the total it is part of, suppressed as a
/// pair with the rest of that total, so that neither gives the other away.
fn part_of(part: i64, whole: i64, rule: SuppressionRule) -> (Cell, Cell) {
    let rest = whole.saturating_sub(part).max(0);
    match suppress_list(
        vec!["part".into(), "rest".into()],
        vec![u(part), u(rest)],
        rule,
    ) {
        Ok(list) => (list.counts[0], list.total),
        Err(_) => (
            Cell::Suppressed {
                reason: leeway_machines::report::suppression::Reason::Primary,
            },
            Cell::Suppressed {
                reason: leeway_machines::report::suppression::Reason::Primary,
            },
        ),
    }
}

struct Students {
    reached: Cell,
    state: Cell,
    share: Rate,
    /// Each in-or-out subgroup: label, count, share of those reached.
    groups: Vec<(String, Cell, Rate)>,
    /// Race and ethnicity, a partition with its total.
    race: Option<SuppressedList>,
}

fn students(f: &ReportFigures, rule: SuppressionRule) -> Students {
    let reach = &f.reach;
    let (reached, state) = part_of(reach.students, reach.state_enrollment, rule);
    let groups = reach
        .subgroups
        .iter()
        .filter(|(name, _)| !name.starts_with(RACE_PREFIX))
        .map(|(name, &n)| {
            let (part, whole) = part_of(n, reach.students, rule);
            (subgroup_label(name), part, rate(part, whole))
        })
        .collect();
    let race: Vec<(&String, &i64)> = reach
        .subgroups
        .iter()
        .filter(|(name, _)| name.starts_with(RACE_PREFIX))
        .collect();
    let race = (!race.is_empty())
        .then(|| {
            suppress_list(
                race.iter().map(|(name, _)| subgroup_label(name)).collect(),
                race.iter().map(|(_, n)| u(**n)).collect(),
                rule,
            )
            .ok()
        })
        .flatten();
    Students {
        share: rate(reached, state),
        reached,
        state,
        groups,
        race,
    }
}

fn table(caption: &str, columns: &[&str], rows: Vec<Vec<String>>, note: Option<String>) -> Table {
    Table {
        caption: caption.to_string(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows,
        note,
    }
}

fn section(heading: &str) -> Section {
    Section {
        heading: heading.to_string(),
        paragraphs: Vec::new(),
        bullets: Vec::new(),
        tables: Vec::new(),
        charts: Vec::new(),
    }
}

fn summary(f: &ReportFigures, s: &Students) -> Vec<String> {
    let d = &f.designations;
    let totals = f.provisions.iter().fold((0, 0, 0, 0), |t, p| {
        (
            t.0 + p.requested,
            t.1 + p.approved,
            t.2 + p.denied,
            t.3 + p.active,
        )
    });
    let mut out = vec![format!(
        "In {}, {} operated as districts of innovation ({} of them new this year), with {} ({} new) and {} in force.",
        f.label,
        many(d.districts_total, "district", "districts"),
        count(d.districts_new),
        many(d.zones_total, "innovation zone", "innovation zones"),
        count(d.zones_new),
        many(
            d.school_waivers_total,
            "school-level waiver",
            "school-level waivers"
        ),
    )];
    let students = match s.reached.published() {
        Some(n) => format!(
            "{}, {} of the state's enrollment",
            many(n as i64, "student", "students"),
            percent(s.share)
        ),
        None => "a number of students withheld to protect small groups".to_string(),
    };
    out.push(format!(
        "These waivers reached {} and {students}.",
        many(f.reach.schools, "school", "schools")
    ));
    let mut most: Vec<String> = crate::report_figures::most_waived(&f.provisions, 3)
        .iter()
        .map(|p| format!("{} ({} in force)", p.citation, count(p.active)))
        .collect();
    if most.is_empty() {
        most.push("none".into());
    }
    out.push(format!(
        "During the year districts asked to waive {} of law; {} approved and {} denied, and {} in force. The most waived: {}.",
        many(totals.0, "provision", "provisions"),
        count(totals.1),
        count(totals.2),
        count(totals.3),
        most.join(", ")
    ));
    let members: i64 = f.cohorts.iter().map(|c| c.members).sum();
    let waiting: i64 = f.wait_lists.iter().map(|w| w.waiting).sum();
    let networks = f
        .cohorts
        .iter()
        .map(|c| c.network.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    out.push(format!(
        "{} {} to {}, and {} on a wait list.",
        many(members, "district", "districts"),
        if members == 1 { "belongs" } else { "belong" },
        many(networks as i64, "statewide network", "statewide networks"),
        count(waiting)
    ));
    let money = f.grants.iter().fold((0, 0, 0, 0), |t, g| {
        (
            t.0 + g.appropriated,
            t.1 + g.awarded,
            t.2 + g.disbursed,
            t.3 + g.lapsed,
        )
    });
    out.push(format!(
        "The legislature appropriated {} to {}: {} was awarded, {} paid out and {} lapsed.",
        dollars(money.0),
        many(f.grants.len() as i64, "grant program", "grant programs"),
        dollars(money.1),
        dollars(money.2),
        dollars(money.3)
    ));
    out
}

fn waivers(f: &ReportFigures) -> Section {
    let mut s = section("Waivers by provision");
    s.paragraphs.push(format!(
        "Each request asks to waive one or more provisions of law; each is counted once per request (a line item). A waiver is in force in {} when its term overlaps the year and it had not ended before it.",
        f.label
    ));
    let rows = f
        .provisions
        .iter()
        .map(|p| {
            vec![
                p.citation.clone(),
                count(p.requested),
                count(p.approved),
                count(p.denied),
                count(p.active),
                count(p.expired),
                count(p.revoked),
            ]
        })
        .collect();
    s.tables.push(table(
        &format!("Waiver line items by provision, {}", f.label),
        &[
            "Provision",
            "Requested",
            "Approved",
            "Denied",
            "In force",
            "Expired",
            "Revoked",
        ],
        rows,
        None,
    ));
    let mut charted: Vec<_> = f.provisions.iter().collect();
    charted.sort_by(|a, b| {
        (b.active + b.requested)
            .cmp(&(a.active + a.requested))
            .then(a.citation.cmp(&b.citation))
    });
    charted.truncate(10);
    let described: Vec<String> = charted
        .iter()
        .map(|p| {
            format!(
                "{}: {} requested, {} approved, {} in force",
                p.citation, p.requested, p.approved, p.active
            )
        })
        .collect();
    s.charts.push(BarChart {
        title: "Waivers by provision".into(),
        alt: format!(
            "Bar chart of waiver line items for the {} most used provisions. {}.",
            charted.len(),
            described.join("; ")
        ),
        unit: "line items".into(),
        series: vec!["Requested".into(), "Approved".into(), "In force".into()],
        bars: charted
            .iter()
            .map(|p| Bar {
                label: p.citation.clone(),
                values: vec![
                    Some(p.requested as f64),
                    Some(p.approved as f64),
                    Some(p.active as f64),
                ],
            })
            .collect(),
    });
    s
}

fn policy_audit(f: &ReportFigures, narrative: &Narrative) -> Section {
    let mut s = section("Policy audit: the most-waived provisions");
    let most = crate::report_figures::most_waived(&f.provisions, AUDIT_CANDIDATES);
    s.paragraphs.push(
        "A provision that many districts need waived is a candidate to change in law for everyone. These were waived most often this year; the department recommends that the legislature consider changing them."
            .into(),
    );
    s.tables.push(table(
        "Candidates to change in law, by waivers in force",
        &["Rank", "Provision", "Waivers in force", "Recommendation"],
        most.iter()
            .enumerate()
            .map(|(i, p)| {
                vec![
                    (i + 1).to_string(),
                    p.citation.clone(),
                    count(p.active),
                    "Recommend changing the law".into(),
                ]
            })
            .collect(),
        most.is_empty()
            .then(|| "No provision was waived in this year.".to_string()),
    ));
    s.bullets = narrative.recommendations.clone();
    if !s.bullets.is_empty() {
        s.paragraphs
            .push("The department's recommendations to the legislature:".into());
    }
    s
}

fn designations(f: &ReportFigures) -> Section {
    let d = &f.designations;
    let mut s = section("Districts of innovation and innovation zones");
    s.tables.push(table(
        &format!("Innovation designations in force, {}", f.label),
        &["Designation", "In force", "New this year"],
        vec![
            vec![
                "Districts of innovation".into(),
                count(d.districts_total),
                count(d.districts_new),
            ],
            vec![
                "Innovation zones".into(),
                count(d.zones_total),
                count(d.zones_new),
            ],
            vec![
                "School-level waivers".into(),
                count(d.school_waivers_total),
                count(d.school_waivers_new),
            ],
        ],
        None,
    ));
    s
}

fn reach(f: &ReportFigures, st: &Students, rule: SuppressionRule) -> Section {
    let mut s = section("Schools and students reached");
    s.paragraphs.push(format!(
        "A school-level waiver or innovation zone reaches the schools it names; a district-wide waiver reaches the whole district. Counts of students below {} are withheld and shown as {WITHHELD}, with enough others that none can be worked out from the rest.",
        rule.threshold
    ));
    s.tables.push(table(
        "Schools and students reached by waivers in force",
        &["Measure", "Value"],
        vec![
            vec!["Schools reached".into(), count(f.reach.schools)],
            vec!["Students reached".into(), cell(st.reached)],
            vec!["Students in the state".into(), cell(st.state)],
            vec!["Share of the state's students".into(), percent(st.share)],
        ],
        None,
    ));
    s.tables.push(table(
        "Students reached, by subgroup",
        &["Subgroup", "Students", "Share of students reached"],
        st.groups
            .iter()
            .map(|(label, c, r)| vec![label.clone(), cell(*c), percent(*r)])
            .collect(),
        st.groups
            .is_empty()
            .then(|| "The state's enrollment data names no subgroups.".to_string()),
    ));
    let mut bars: Vec<Bar> = st
        .groups
        .iter()
        .map(|(label, c, _)| Bar {
            label: label.clone(),
            values: vec![c.published().map(|n| n as f64)],
        })
        .collect();
    if let Some(race) = &st.race {
        let mut rows: Vec<Vec<String>> = race
            .labels
            .iter()
            .zip(&race.counts)
            .map(|(label, c)| vec![label.clone(), cell(*c), percent(rate(*c, race.total))])
            .collect();
        rows.push(vec!["Total".into(), cell(race.total), String::new()]);
        s.tables.push(table(
            "Students reached, by race and ethnicity",
            &["Race or ethnicity", "Students", "Share"],
            rows,
            None,
        ));
        bars.extend(race.labels.iter().zip(&race.counts).map(|(label, c)| Bar {
            label: label.clone(),
            values: vec![c.published().map(|n| n as f64)],
        }));
    }
    let described: Vec<String> = bars
        .iter()
        .map(|b| {
            format!(
                "{}: {}",
                b.label,
                b.values[0].map_or_else(|| "withheld".to_string(), |v| count(v as i64))
            )
        })
        .collect();
    s.charts.push(BarChart {
        title: "Students reached, by subgroup".into(),
        alt: format!(
            "Bar chart of students reached in each subgroup. {}.",
            if described.is_empty() {
                "No subgroup data".to_string()
            } else {
                described.join("; ")
            }
        ),
        unit: "students".into(),
        series: vec!["Students".into()],
        bars,
    });
    s
}

fn networks(f: &ReportFigures) -> Section {
    let mut s = section("Statewide networks");
    s.tables.push(table(
        "Network members by cohort",
        &["Network", "Cohort", "Members"],
        f.cohorts
            .iter()
            .map(|c| {
                vec![
                    c.network.clone(),
                    if c.cohort.is_empty() {
                        "(none)".into()
                    } else {
                        c.cohort.clone()
                    },
                    count(c.members),
                ]
            })
            .collect(),
        f.cohorts
            .is_empty()
            .then(|| "No network has members yet.".to_string()),
    ));
    s.tables.push(table(
        "Districts on a network's wait list",
        &["Network", "Waiting"],
        f.wait_lists
            .iter()
            .map(|w| vec![w.network.clone(), count(w.waiting)])
            .collect(),
        f.wait_lists
            .is_empty()
            .then(|| "No district is waiting.".to_string()),
    ));
    s
}

fn grants(f: &ReportFigures) -> Section {
    let mut s = section("Grant money");
    s.paragraphs.push(
        "Each program's appropriation, from what the legislature appropriated to what was awarded to districts, paid out on approved claims, and lapsed at the end of the fiscal year."
            .into(),
    );
    s.tables.push(table(
        "Grant money by program",
        &["Program", "Appropriated", "Awarded", "Disbursed", "Lapsed"],
        f.grants
            .iter()
            .map(|g| {
                vec![
                    g.name.clone(),
                    dollars(g.appropriated),
                    dollars(g.awarded),
                    dollars(g.disbursed),
                    dollars(g.lapsed),
                ]
            })
            .collect(),
        f.grants
            .is_empty()
            .then(|| "No grant program has been opened.".to_string()),
    ));
    let described: Vec<String> = f
        .grants
        .iter()
        .map(|g| {
            format!(
                "{}: {} appropriated, {} awarded, {} disbursed, {} lapsed",
                g.name,
                dollars(g.appropriated),
                dollars(g.awarded),
                dollars(g.disbursed),
                dollars(g.lapsed)
            )
        })
        .collect();
    s.charts.push(BarChart {
        title: "Grant money from appropriation to disbursement".into(),
        alt: format!(
            "Bar chart of each grant program's money in dollars. {}.",
            if described.is_empty() {
                "No programs".to_string()
            } else {
                described.join("; ")
            }
        ),
        unit: "dollars".into(),
        series: vec![
            "Appropriated".into(),
            "Awarded".into(),
            "Disbursed".into(),
            "Lapsed".into(),
        ],
        bars: f
            .grants
            .iter()
            .map(|g| Bar {
                label: g.name.clone(),
                values: [g.appropriated, g.awarded, g.disbursed, g.lapsed]
                    .iter()
                    .map(|c| Some(*c as f64 / 100.0))
                    .collect(),
            })
            .collect(),
    });
    s
}

fn score(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.1}"))
}

fn outcomes(f: &ReportFigures, rule: SuppressionRule) -> Section {
    let mut s = section("Outcomes before and since the innovation");
    s.paragraphs.push(format!(
        "The state's accountability results for the districts and schools waivers reach: in the school year before each one's first waiver began, and in {}. Averages are of the organisations with results in both years. Then what the districts' own progress reports, as reviewed by the department, say of each goal.",
        f.label
    ));
    s.tables.push(table(
        "Accountability results before and since",
        &[
            "Subject",
            "Organisations",
            "Mean score before",
            "Mean score since",
            "Median growth before",
            "Median growth since",
        ],
        f.accountability
            .iter()
            .map(|a| {
                vec![
                    a.subject.clone(),
                    count(a.organisations),
                    score(a.before_score),
                    score(a.since_score),
                    score(a.before_growth),
                    score(a.since_growth),
                ]
            })
            .collect(),
        f.accountability.is_empty().then(|| {
            "No organisation reached by a waiver has results for both years yet.".to_string()
        }),
    ));
    s.tables.push(reported(f, rule));
    s
}

/// The districts' own progress reports: each goal's measure for all
/// students and by subgroup, with how many students each is over. The
/// counts of one goal are suppressed together: the race and ethnicity
/// counts as one partition of all the students (with those not reported
/// as its hidden rest), and each other subgroup against all the students,
/// so no withheld count can be worked out from the others; a value over a
/// withheld count is withheld with it.
fn reported(f: &ReportFigures, rule: SuppressionRule) -> Table {
    use crate::report_figures::ReportedOutcome;
    let mut rows = Vec::new();
    let mut goals: Vec<&[ReportedOutcome]> = Vec::new();
    let mut start = 0;
    for i in 1..=f.outcomes.len() {
        let same = |a: &ReportedOutcome, b: &ReportedOutcome| {
            a.district == b.district && a.citation == b.citation
        };
        if i == f.outcomes.len() || !same(&f.outcomes[i], &f.outcomes[start]) {
            goals.push(&f.outcomes[start..i]);
            start = i;
        }
    }
    for goal in goals {
        let all = goal
            .iter()
            .find(|o| o.group == "all")
            .map_or(0, |o| i64::from(o.students));
        let races: Vec<&ReportedOutcome> = goal
            .iter()
            .filter(|o| o.group.starts_with(RACE_PREFIX))
            .collect();
        let race_sum: i64 = races.iter().map(|o| i64::from(o.students)).sum();
        let mut labels: Vec<String> = races.iter().map(|o| o.group.clone()).collect();
        let mut counts: Vec<u64> = races.iter().map(|o| u64::from(o.students)).collect();
        labels.push(String::new());
        counts.push(u(all - race_sum));
        let partition = suppress_list(labels.clone(), counts, rule).ok();
        let mut all_withheld = partition.as_ref().is_none_or(|p| p.total.is_suppressed());
        let mut cells: Vec<Cell> = Vec::with_capacity(goal.len());
        for o in goal {
            let cell = if o.group == "all" {
                Cell::Published(u64::from(o.students))
            } else if o.group.starts_with(RACE_PREFIX) {
                let at = labels.iter().position(|l| *l == o.group);
                match (&partition, at) {
                    (Some(p), Some(i)) => p.counts[i],
                    _ => part_of(i64::from(o.students), all, rule).0,
                }
            } else {
                let (part, whole) = part_of(i64::from(o.students), all, rule);
                all_withheld |= whole.is_suppressed();
                part
            };
            cells.push(cell);
        }
        for (o, cell) in goal.iter().zip(cells) {
            let withheld = if o.group == "all" {
                all_withheld
            } else {
                cell.is_suppressed()
            };
            let shown = |v: String| if withheld { WITHHELD.to_string() } else { v };
            rows.push(vec![
                o.district.clone(),
                o.citation.clone(),
                o.measure.clone(),
                if o.group == "all" {
                    "All students".to_string()
                } else {
                    subgroup_label(&o.group)
                },
                shown(count(i64::from(o.students))),
                shown(score(Some(o.baseline))),
                shown(score(Some(o.current))),
            ]);
        }
    }
    table(
        "Outcomes the districts reported, by subgroup",
        &[
            "District",
            "Provision",
            "Measure",
            "Group",
            "Students",
            "Baseline",
            "Current",
        ],
        rows,
        f.outcomes
            .is_empty()
            .then(|| "No progress report for this year has been reviewed yet.".to_string()),
    )
}

fn anchors(f: &ReportFigures) -> Vec<Anchor> {
    let a = &f.audit;
    let mut out = vec![
        Anchor {
            label: "Audit chains at compilation".into(),
            value: count(a.chains),
        },
        Anchor {
            label: "SHA-256 of every chain head".into(),
            value: a.heads_digest.clone(),
        },
    ];
    match &a.tree_head {
        Some(t) => out.extend([
            Anchor {
                label: format!(
                    "Sealed tree head, {} (size {})",
                    t.at.format("%Y-%m-%d %H:%M UTC"),
                    t.tree_size
                ),
                value: t.hash.clone(),
            },
            Anchor {
                label: "Its Merkle root".into(),
                value: t.root.clone(),
            },
        ]),
        None => out.push(Anchor {
            label: "Sealed tree head".into(),
            value: "none sealed yet".into(),
        }),
    }
    out
}

/// The report as printed.
pub fn document(
    f: &ReportFigures,
    rules: &ReportRules,
    agency: &str,
    narrative: &Narrative,
    draft: &DraftLine,
) -> ReportDocument {
    let rule = rules.suppression();
    let st = students(f, rule);
    let year = rules.year(f.year);
    let mut sections = Vec::new();
    if !narrative.paragraphs.is_empty() {
        let mut s = section("From the department");
        s.paragraphs = narrative.paragraphs.clone();
        sections.push(s);
    }
    sections.extend([
        waivers(f),
        policy_audit(f, narrative),
        designations(f),
        reach(f, &st, rule),
        networks(f),
        grants(f),
        outcomes(f, rule),
    ]);
    ReportDocument {
        title: rules.name.clone(),
        agency: agency.to_string(),
        year_label: f.label.clone(),
        statute: rules.statute.clone(),
        due_line: format!(
            "Due to the legislature on {}",
            year.due_at.format("%-d %B %Y")
        ),
        version_line: format!(
            "Version {}, compiled {}",
            draft.version,
            draft.made_at.format("%-d %B %Y at %H:%M UTC")
        ),
        summary: summary(f, &st),
        sections,
        anchors: anchors(f),
        suppression_note: format!(
            "{WITHHELD} A count of fewer than {} students is withheld, with enough other counts that it cannot be worked out from the rest of the report; percentages computed from a withheld count are withheld too.",
            rule.threshold
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(group: &str, students: u32) -> crate::report_figures::ReportedOutcome {
        crate::report_figures::ReportedOutcome {
            district: "Riverbend".into(),
            citation: "DS 22-7-101".into(),
            measure: "On pace".into(),
            group: group.into(),
            students,
            baseline: 50.0,
            current: 60.0,
        }
    }

    #[test]
    fn a_goals_small_race_count_is_withheld_with_another_and_its_values() {
        let figures: ReportFigures = serde_json::from_value(serde_json::json!({
            "year": 2026, "label": "2025-26",
            "starts": "2025-07-01T00:00:00Z", "ends": "2026-07-01T00:00:00Z",
            "compiled_at": "2026-11-01T00:00:00Z",
            "provisions": [], "designations": {
                "districts_total": 0, "districts_new": 0, "zones_total": 0,
                "zones_new": 0, "school_waivers_total": 0, "school_waivers_new": 0 },
            "reach": { "schools": 0, "students": 0, "state_enrollment": 0, "subgroups": {} },
            "cohorts": [], "wait_lists": [], "grants": [], "accountability": [],
            "audit": { "chains": 0, "heads_digest": "", "tree_head": null }
        }))
        .unwrap();
        let figures = ReportFigures {
            outcomes: vec![
                outcome("all", 100),
                outcome("race_white", 60),
                outcome("race_black", 36),
                outcome("race_asian", 4),
                outcome("english_learners", 30),
            ],
            ..figures
        };
        let rows = rows_of(&reported(&figures, SuppressionRule::new(10)));
        let asian = &rows[3];
        assert_eq!(asian[4..], ["*", "*", "*"]);
        // 100 - 60 - 36 would give the 4 back: another race count goes too.
        assert!(rows[1..3].iter().any(|r| r[4] == "*"), "{rows:?}");
        assert_eq!(rows[4][4], "30");
    }

    fn rows_of(t: &Table) -> Vec<Vec<String>> {
        t.rows.clone()
    }

    #[test]
    fn subgroups_read_as_people_write_them() {
        assert_eq!(subgroup_label("english_learners"), "English learners");
        assert_eq!(
            subgroup_label("race_american_indian_or_alaska_native"),
            "American Indian or Alaska Native"
        );
        assert_eq!(subgroup_label("race_white"), "White");
        assert_eq!(subgroup_label(""), "");
    }

    #[test]
    fn a_small_part_is_withheld_with_its_rest_and_its_rate() {
        let rule = SuppressionRule::new(10);
        let (part, whole) = part_of(4, 500, rule);
        assert!(part.is_suppressed());
        assert_eq!(whole.published(), Some(500));
        assert_eq!(percent(rate(part, whole)), WITHHELD);
        let (part, whole) = part_of(40, 500, rule);
        assert_eq!((part.published(), whole.published()), (Some(40), Some(500)));
        assert_eq!(percent(rate(part, whole)), "8.0%");
        assert_eq!(many(1, "school", "schools"), "1 school");
        assert_eq!(count(1_234_567), "1,234,567");
    }
}

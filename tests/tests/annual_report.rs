//! The annual report end to end: GraphQL over HTTP, the real Temporal dev
//! server (its Schedule too), SQLite (or PostgreSQL when DATABASE_URL is
//! set) and a real SMTP server. A synthetic state's history (districts,
//! five school years of waivers, accountability results) is written into
//! the records; an administrator starts a past year's report, whose
//! figures are checked against counts made here from the same seeded data;
//! staff revise it; an approver certifies it; it is emailed to the
//! legislature with its files attached, published, and anchored in the
//! audit trail by the files' SHA-256.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use chrono::{Datelike, TimeZone, Utc};
use leeway_entities::accountability_result;
use leeway_tests::{ANNUAL_REPORT, TestApp};
use leeway_workflows::report_figures::Period;
use leeway_workflows::report_synthetic::{
    SyntheticDistrict, SyntheticWaiver, districts, expected, expected_districts, expected_students,
    generate, load, load_districts,
};
use sea_orm::{EntityTrait, Set};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::time::Duration;

const ADMIN: &str = "demo-admin";
const REVIEWER: &str = "demo-reviewer";
const APPROVER: &str = "demo-approver";
const LEGISLATOR: &str = "demo-legislator";
const THRESHOLD: i64 = 10;

const REPORT: &str = "id stateName year yearLabel escalated
    narrative { paragraphs recommendations }
    drafts { version figuresVersion madeBy document files { name contentType sha256 url } }
    certification { version certifiedBy files { name sha256 url } }
    history { command actorUserId reasons }
    notifications { subject recipientEmail }";

fn period(ends_in: i32) -> Period {
    Period {
        starts: Utc.with_ymd_and_hms(ends_in - 1, 7, 1, 0, 0, 0).unwrap(),
        ends: Utc.with_ymd_and_hms(ends_in, 7, 1, 0, 0, 0).unwrap(),
    }
}

/// A mean scale score for a district and year, from the ids alone.
fn score(district: &str, year: i32) -> f64 {
    let n: u32 = district.bytes().map(u32::from).sum();
    700.0 + f64::from(n % 37) + f64::from(year - 2018) * 2.5
}

async fn seed(app: &TestApp) -> (Vec<SyntheticWaiver>, Vec<SyntheticDistrict>) {
    let db = leeway_entities::db::connect(&app.database_url)
        .await
        .unwrap();
    let state = districts(40, 5);
    let waivers = generate(40, 5, 2019, 5);
    load_districts(&db, &state).await.unwrap();
    load(&db, &waivers).await.unwrap();
    let rows = state.iter().flat_map(|d| {
        (2019..=2025).map(|year| accountability_result::ActiveModel {
            organisation_id: Set(d.id.clone()),
            school_year: Set(year),
            subject: Set("mathematics".into()),
            performance_rating: Set(None),
            mean_scale_score: Set(Some(score(&d.id, year))),
            median_growth: Set(None),
        })
    });
    accountability_result::Entity::insert_many(rows.collect::<Vec<_>>())
        .exec(&db)
        .await
        .unwrap();
    (waivers, state)
}

fn table<'a>(doc: &'a Value, caption_starts: &str) -> &'a Value {
    doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["tables"].as_array().unwrap())
        .find(|t| t["caption"].as_str().unwrap().starts_with(caption_starts))
        .unwrap_or_else(|| panic!("no table `{caption_starts}` in {doc:#}"))
}

fn rows(t: &Value) -> Vec<Vec<String>> {
    t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

fn printed(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A student count as the report must print it: withheld under the
/// threshold (zero is printed).
fn student_count(n: i64) -> String {
    if n > 0 && n < THRESHOLD {
        "*".into()
    } else {
        printed(n)
    }
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> (u16, Vec<u8>) {
    let url = format!("http://{}{path}", app.running.addr);
    let mut req = reqwest::Client::new().get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.bytes().await.unwrap().to_vec())
}

/// The state's enrollment: every district and charter's, the demo's own
/// beside the synthetic ones.
async fn state_enrollment(app: &TestApp) -> i64 {
    let db = leeway_entities::db::connect(&app.database_url)
        .await
        .unwrap();
    leeway_entities::organisation::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.kind == "district" || o.kind == "charter")
        .map(|o| i64::from(o.enrollment.unwrap_or(0)))
        .sum()
}

fn check_figures(
    doc: &Value,
    waivers: &[SyntheticWaiver],
    state: &[SyntheticDistrict],
    state_total: i64,
    ends_in: i32,
) {
    let year = period(ends_in);
    // Waivers by provision, line item by line item.
    let counted: Vec<Vec<String>> = expected(waivers, year)
        .into_iter()
        .map(|f| {
            vec![
                f.citation,
                printed(f.requested),
                printed(f.approved),
                printed(f.denied),
                printed(f.active),
                printed(f.expired),
                printed(f.revoked),
            ]
        })
        .collect();
    assert!(!counted.is_empty());
    assert_eq!(rows(table(doc, "Waiver line items by provision")), counted);
    // Districts of innovation, district by district.
    let (total, new) = expected_districts(waivers, year);
    let designations = rows(table(doc, "Innovation designations"));
    assert_eq!(designations[0][1..], [printed(total), printed(new)]);
    // Students reached, and each subgroup, withheld under the threshold.
    let (students, groups) = expected_students(waivers, state, year);
    let reach = rows(table(doc, "Schools and students reached"));
    assert_eq!(reach[1][1], student_count(students));
    assert_eq!(reach[2][1], printed(state_total));
    assert_eq!(
        reach[3][1],
        format!("{:.1}%", students as f64 * 100.0 / state_total as f64)
    );
    let subgroups = rows(table(doc, "Students reached, by subgroup"));
    for (name, label) in [
        ("economically_disadvantaged", "Economically disadvantaged"),
        ("english_learners", "English learners"),
        ("students_with_disabilities", "Students with disabilities"),
    ] {
        let row = subgroups.iter().find(|r| r[0] == label).unwrap();
        let n = groups[name];
        assert_eq!(row[1], student_count(n), "{label}");
        if row[1] == "*" {
            assert_eq!(row[2], "*", "a rate from a withheld count is withheld");
        } else {
            assert_eq!(
                row[2],
                format!("{:.1}%", n as f64 * 100.0 / students as f64)
            );
        }
    }
    // Accountability before the first waiver began and in the year.
    let mut first: BTreeMap<&str, i32> = BTreeMap::new();
    for w in waivers {
        let in_force = w.decided.is_some()
            && w.items
                .iter()
                .any(|(_, d)| matches!(d, Some("approved" | "approved_with_conditions")))
            && w.term
                .is_some_and(|(from, to)| from < year.ends && to > year.starts)
            && w.ended.is_none_or(|(at, _)| at > year.starts);
        if in_force {
            let started = w.term.unwrap().0.year();
            let f = first.entry(&w.organisation_id).or_insert(started);
            *f = (*f).min(started);
        }
    }
    let pairs: Vec<(f64, f64)> = first
        .iter()
        .filter(|(_, started)| **started < ends_in && **started >= 2019)
        .map(|(d, started)| (score(d, *started), score(d, ends_in)))
        .collect();
    let outcomes = rows(table(doc, "Accountability results"));
    assert_eq!(outcomes.len(), 1);
    let mean = |f: fn(&(f64, f64)) -> f64| pairs.iter().map(f).sum::<f64>() / pairs.len() as f64;
    assert_eq!(
        outcomes[0][..4],
        [
            "mathematics".to_string(),
            printed(pairs.len() as i64),
            format!("{:.1}", mean(|p| p.0)),
            format!("{:.1}", mean(|p| p.1)),
        ]
    );
}

#[tokio::test]
async fn a_year_is_compiled_revised_certified_delivered_and_published() {
    let app = TestApp::start(ANNUAL_REPORT).await;
    let (waivers, state) = seed(&app).await;

    // Only administrators start a report by hand, and only for a year
    // whose compilation has begun.
    let start = "mutation($y: Int!) { startAnnualReport(year: $y) { id } }";
    let (code, _) = app
        .refused(Some(APPROVER), start, json!({ "y": 2024 }))
        .await;
    assert_eq!(code, "FORBIDDEN");
    let next_year = Utc::now().year() + 1;
    let (code, message) = app
        .refused(Some(ADMIN), start, json!({ "y": next_year }))
        .await;
    assert_eq!(code, "VALIDATION", "{message}");

    let q = format!("mutation {{ startAnnualReport(year: 2024) {{ {REPORT} }} }}");
    let started = app.ok(ADMIN, &q, json!({})).await["startAnnualReport"].clone();
    assert_eq!(started["stateName"], "drafting");
    assert_eq!(started["yearLabel"], "2023-24");
    let draft = &started["drafts"][0];
    assert_eq!(draft["version"], 1);
    let state_total = state_enrollment(&app).await;
    check_figures(&draft["document"], &waivers, &state, state_total, 2024);

    // Its due date (1 March 2025) is long past: it escalates at once.
    let read = format!("query {{ annualReport(year: 2024) {{ {REPORT} }} }}");
    let overdue = app
        .eventually(ADMIN, &read, json!({}), Duration::from_secs(30), |d| {
            d["annualReport"]["escalated"] == true
        })
        .await;
    let subjects: Vec<&str> = overdue["annualReport"]["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["subject"].as_str().unwrap())
        .collect();
    assert!(
        subjects.iter().any(|s| s.starts_with("Overdue")),
        "{subjects:?}"
    );

    // Staff write the narrative: a new draft with the same figures.
    let revise = format!(
        "mutation($p: [String!]!, $r: [String!]!) {{ reviseAnnualReport(year: 2024, paragraphs: $p, recommendations: $r) {{ {REPORT} }} }}"
    );
    let revised = app
        .ok(
            REVIEWER,
            &revise,
            json!({ "p": ["Districts used waivers mostly to replace seat time with mastery."], "r": ["Repeal the seat-time requirement for all districts."] }),
        )
        .await["reviseAnnualReport"]
        .clone();
    let latest = &revised["drafts"][0];
    assert_eq!(
        (
            latest["version"].as_i64(),
            latest["figuresVersion"].as_i64()
        ),
        (Some(2), Some(1))
    );
    let text = latest["document"].to_string();
    assert!(text.contains("Repeal the seat-time requirement"));
    check_figures(&latest["document"], &waivers, &state, state_total, 2024);

    // Drafts are for staff: a token is needed, and a legislator's will not do.
    let pdf = latest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["contentType"] == "application/pdf")
        .unwrap()
        .clone();
    let url = pdf["url"].as_str().unwrap();
    assert_eq!(get(&app, url, None).await.0, 401);
    assert_eq!(get(&app, url, Some(LEGISLATOR)).await.0, 403);
    let (status, bytes) = get(&app, url, Some(REVIEWER)).await;
    assert_eq!(status, 200);
    assert_eq!(sha256(&bytes), pdf["sha256"].as_str().unwrap());
    let public_url = format!("/public/reports/{}", pdf["name"].as_str().unwrap());
    assert_eq!(
        get(&app, &public_url, None).await.0,
        404,
        "not published yet"
    );

    // Only an approver certifies, and only the latest draft.
    let certify = format!(
        "mutation($v: Int!) {{ certifyAnnualReport(year: 2024, version: $v) {{ {REPORT} }} }}"
    );
    let (code, _) = app
        .refused(Some(REVIEWER), &certify, json!({ "v": 2 }))
        .await;
    assert_eq!(code, "FORBIDDEN");
    let (code, message) = app
        .refused(Some(APPROVER), &certify, json!({ "v": 1 }))
        .await;
    assert_eq!(code, "CONFLICT", "{message}");
    let done = app.ok(APPROVER, &certify, json!({ "v": 2 })).await["certifyAnnualReport"].clone();
    assert_eq!(done["stateName"], "published");
    let files = done["certification"]["files"].as_array().unwrap().clone();
    assert_eq!(files.len(), 3);

    // The audit trail records each file's hash.
    let certified = done["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["command"] == "certify")
        .unwrap()
        .clone();
    let reasons = certified["reasons"].to_string();
    for f in &files {
        assert!(reasons.contains(f["sha256"].as_str().unwrap()), "{reasons}");
    }

    // Delivered over SMTP to the legislator and the committee, with the
    // three files attached, byte for byte as certified.
    let hashes: BTreeMap<String, String> = files
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_string(),
                f["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for to in [
        "lee@legislature.demo.example",
        "education-committee@legislature.test.example",
    ] {
        let started = std::time::Instant::now();
        let mail = loop {
            if let Some(m) = app
                .smtp
                .mails()
                .into_iter()
                .find(|m| m.to.iter().any(|t| t.contains(to)) && !m.attachments().is_empty())
            {
                break m;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no report mailed to {to}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        let attached: BTreeMap<String, String> = mail
            .attachments()
            .into_iter()
            .map(|(name, _, bytes)| (name, sha256(&bytes)))
            .collect();
        assert_eq!(attached, hashes, "the files mailed to {to}");
        let body: String = mail.parts().into_iter().map(|p| p.1).collect();
        for sha in hashes.values() {
            assert!(body.contains(sha), "the email names each file's hash");
        }
    }

    // Published: in the public query and on the public page, and the
    // files download without a token.
    let published = app
        .gql(
            None,
            "{ publishedReports { year yearLabel files { name sha256 url } } }",
            json!({}),
        )
        .await;
    let report = &published["data"]["publishedReports"][0];
    assert_eq!(report["year"], 2024);
    for f in report["files"].as_array().unwrap() {
        let (status, bytes) = get(&app, f["url"].as_str().unwrap(), None).await;
        assert_eq!(status, 200);
        assert_eq!(sha256(&bytes), f["sha256"].as_str().unwrap());
    }
    let (_, page) = get(&app, "/public", None).await;
    // The template escapes `/` in attributes, as HTML allows.
    let page = String::from_utf8(page).unwrap().replace("&#x2f;", "/");
    assert!(page.contains("2023-24"), "the public page lists the report");
    for f in &files {
        assert!(page.contains(f["sha256"].as_str().unwrap()));
        assert!(page.contains(f["url"].as_str().unwrap()));
    }

    // The PDF reads as a report: every page renders and its text is there.
    let dir = tempfile::tempdir().unwrap();
    let (_, bytes) = get(&app, &public_url, None).await;
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let text = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (Debian poppler-utils; scripts/test.sh installs it)");
    let text = String::from_utf8_lossy(&text.stdout);
    for expected in [
        "Annual report on innovation in schools",
        "2023-24",
        "Waivers by provision",
        "Repeal the seat-time requirement",
        "SHA-256 of every chain head",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` missing from the PDF:\n{text}"
        );
    }

    // A certified report takes no further drafts.
    let (code, _) = app
        .refused(
            Some(REVIEWER),
            "mutation { recompileAnnualReport(year: 2024) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code, "INVALID_TRANSITION");
    app.stop().await;
}

#[tokio::test]
async fn the_schedule_starts_the_latest_years_report_once() {
    let app = TestApp::start(ANNUAL_REPORT).await;
    let latest = {
        // 2025-26 is compiled from 1 November 2026; before that, 2024-25.
        let now = Utc::now();
        let this = Utc.with_ymd_and_hms(now.year(), 11, 1, 0, 0, 0).unwrap();
        if now >= this {
            now.year()
        } else {
            now.year() - 1
        }
    };
    let q = "{ annualReports { year drafts { version madeBy } history { actorUserId command } } }";
    let found = app
        .eventually(ADMIN, q, json!({}), Duration::from_secs(60), |d| {
            !d["annualReports"].as_array().unwrap().is_empty()
        })
        .await;
    let report = &found["annualReports"][0];
    assert_eq!(report["year"], latest);
    assert_eq!(report["drafts"][0]["madeBy"], "system");
    // It fires every few seconds; the year is opened once.
    tokio::time::sleep(Duration::from_secs(8)).await;
    let again = app.ok(ADMIN, q, json!({})).await;
    assert_eq!(again["annualReports"].as_array().unwrap().len(), 1);
    let opens = again["annualReports"][0]["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["command"] == "open")
        .count();
    assert_eq!(opens, 1);
    // Legislators read published reports, not drafts.
    let (code, _) = app.refused(Some(LEGISLATOR), q, json!({})).await;
    assert_eq!(code, "FORBIDDEN");
    app.stop().await;
}

#[tokio::test]
async fn the_demo_history_fills_every_section_of_the_last_years_report() {
    let app = TestApp::start("DEMO").await;
    // As `leeway serve --demo` does after starting; twice adds nothing.
    app.running.app.seed_demo_history().await.unwrap();
    app.running.app.seed_demo_history().await.unwrap();
    let latest = {
        let now = Utc::now();
        let this = Utc.with_ymd_and_hms(now.year(), 11, 1, 0, 0, 0).unwrap();
        if now >= this {
            now.year()
        } else {
            now.year() - 1
        }
    };
    let q = format!("mutation($y: Int!) {{ startAnnualReport(year: $y) {{ {REPORT} }} }}");
    let report = app.ok(ADMIN, &q, json!({ "y": latest })).await["startAnnualReport"].clone();
    let doc = &report["drafts"][0]["document"];
    let non_empty = |caption: &str| {
        let r = rows(table(doc, caption));
        assert!(!r.is_empty(), "`{caption}` is empty");
        r
    };
    let provisions = non_empty("Waiver line items by provision");
    assert!(
        provisions
            .iter()
            .any(|r| r[0] == "DS 22-7-101" && r[4] == "3"),
        "{provisions:?}"
    );
    let audit = non_empty("Candidates to change in law");
    assert_eq!(audit[0][1], "DS 22-7-101");
    let designations = non_empty("Innovation designations");
    assert_eq!(
        designations[0][1..],
        ["2".to_string(), "1".to_string()],
        "districts of innovation"
    );
    assert_eq!(designations[1][1], "1", "one innovation zone");
    let reach = non_empty("Schools and students reached");
    assert_eq!(
        reach[0][1], "3",
        "the zone's two schools and Hillcrest's high school"
    );
    assert_eq!(
        reach[1][1], "6,230",
        "the zone's schools, Hillcrest and Lakeside"
    );
    non_empty("Students reached, by subgroup");
    let race = non_empty("Students reached, by race and ethnicity");
    let pacific = race
        .iter()
        .find(|r| r[0].starts_with("Native Hawaiian"))
        .unwrap();
    assert_eq!(pacific[1], "*", "three students are withheld");
    assert!(
        race.iter().filter(|r| r[1] == "*").count() >= 2,
        "and another cell with them: {race:?}"
    );
    let cohorts = non_empty("Network members by cohort");
    assert_eq!(cohorts[0][2], "1");
    let grants = non_empty("Grant money by program");
    assert_eq!(grants[0][1], "$1,400,000");
    let outcomes = non_empty("Accountability results");
    assert_eq!(outcomes.len(), 2, "mathematics and reading");
    // Riverbend's accepted progress report, by subgroup: six students'
    // values are withheld with their count.
    let reported = non_empty("Outcomes the districts reported");
    assert!(
        reported
            .iter()
            .any(|r| r[3] == "All students" && r[4] == "2,330" && r[6] == "68.5"),
        "{reported:?}"
    );
    let pacific = reported
        .iter()
        .find(|r| r[3].starts_with("Native Hawaiian"))
        .unwrap();
    assert_eq!(pacific[4..], ["*", "*", "*"]);
    // The imported history keeps the audit trail whole.
    let verified = app
        .ok(
            ADMIN,
            "{ auditVerification { intact problems { chain seq } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        verified["auditVerification"]["intact"], true,
        "{verified:#}"
    );
    app.stop().await;
}

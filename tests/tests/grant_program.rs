//! Grants end to end: GraphQL over HTTP, the real Temporal dev server,
//! SQLite (or PostgreSQL when DATABASE_URL is set) and a real SMTP server.
//! A program is created and opened by SEA staff with its appropriation; a
//! district applies; a panel declares conflicts (a tie on record recuses a
//! reviewer) and scores; the approver awards; the district claims; the
//! fiscal officer pays; reports fall due and escalate; closeout lapses what
//! was unspent. Every amount is in cents.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use chrono::{Duration as Span, Utc};
use leeway_tests::{FAST_CLOCKS, TestApp};
use serde_json::{Value, json};
use std::time::Duration;

const APPLICANT: &str = "demo-district-applicant";
const REP: &str = "demo-district-rep";
const REVIEWER: &str = "demo-reviewer";
const REVIEWER_2: &str = "demo-reviewer-2";
const APPROVER: &str = "demo-approver";
const FISCAL: &str = "demo-fiscal";

const GRANT: &str = "id stateName requested closeoutDue returned
    award { amount remaining paid pending reductions budget { category amount claimed } }
    claims { no state amount paymentReference }
    reports { no kind overdue escalated submittedAt accepted }
    panel { reviewerId state recusalReason scored }
    scores { reviewerId total }
    aggregate { mean spread equityPoints total disagreement }
    history { command actorUserId reasons reasonsWithheld }
    notifications { subject }";

const LEDGER: &str = "query($c: String!) { grantProgram(code: $c) { state ledger { appropriated available committed disbursed lapsed closedAt } } }";

struct ProgramTerms {
    code: &'static str,
    appropriation: i64,
    min: i64,
    max: i64,
    reviewers: u32,
    phase: &'static str,
    follows: Option<&'static str>,
    window_closes: Span,
    period_ends: Span,
    lapses: Span,
    report_every: &'static str,
}

impl ProgramTerms {
    fn new(code: &'static str) -> Self {
        Self {
            code,
            appropriation: 140_000_000,
            min: 1_000_000,
            max: 50_000_000,
            reviewers: 2,
            phase: "PLANNING",
            follows: None,
            window_closes: Span::days(1),
            period_ends: Span::days(300),
            lapses: Span::days(365),
            report_every: "90d",
        }
    }

    fn input(&self) -> Value {
        let now = Utc::now();
        json!({
            "code": self.code,
            "name": format!("{} grants", self.code),
            "purpose": "Mastery-based learning in member districts",
            "appropriation": self.appropriation,
            "fiscalYear": "FY2027",
            "fundingSource": "Demo Laws 2026 ch. 12 (illustrative)",
            "lapsesAt": (now + self.lapses).to_rfc3339(),
            "eligibility": "ANY_DISTRICT",
            "minAward": self.min,
            "maxAward": self.max,
            "phase": self.phase,
            "follows": self.follows,
            "rubric": [
                { "id": "need", "name": "Need", "maxPoints": 50, "guidance": "How great is the need?" },
                { "id": "plan", "name": "Plan", "maxPoints": 50, "guidance": "How sound is the plan?" }
            ],
            "equityPoints": 5,
            "windowOpens": (now - Span::hours(1)).to_rfc3339(),
            "windowCloses": (now + self.window_closes).to_rfc3339(),
            "reviewersPerApplication": self.reviewers,
            "periodEnds": (now + self.period_ends).to_rfc3339(),
            "spendBy": (now + self.period_ends).to_rfc3339(),
            "reportEvery": self.report_every,
        })
    }
}

async fn create_program(app: &TestApp, terms: &ProgramTerms) {
    let data = app
        .ok(
            APPROVER,
            "mutation($p: GrantProgramInput!) { createGrantProgram(program: $p) { stateName terms { code } } }",
            json!({ "p": terms.input() }),
        )
        .await;
    assert_eq!(data["createGrantProgram"]["stateName"], "draft");
    let data = app
        .ok(
            APPROVER,
            "mutation($c: String!) { openGrantProgram(code: $c) { stateName } }",
            json!({ "c": terms.code }),
        )
        .await;
    assert_eq!(data["openGrantProgram"]["stateName"], "open");
}

fn proposal(personnel: i64, supplies: i64) -> Value {
    json!({
        "narrative": "Teachers design competency-based units with families.",
        "budget": [
            { "category": "PERSONNEL", "description": "Teacher stipends", "amount": personnel },
            { "category": "SUPPLIES", "description": "Classroom materials", "amount": supplies }
        ],
        "studentsServed": 800,
        "goals": [{ "measure": "Students at mastery in grade 8 math", "baseline": "41%", "target": "55%" }]
    })
}

async fn open_application(app: &TestApp, token: &str, program: &str, proposal: Value) -> String {
    let data = app
        .ok(
            token,
            "mutation($p: String!, $a: GrantProposalInput!) { openGrantApplication(program: $p, proposal: $a) { id stateName } }",
            json!({ "p": program, "a": proposal }),
        )
        .await;
    assert_eq!(data["openGrantApplication"]["stateName"], "draft");
    data["openGrantApplication"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// One command on a grant, answered with `GRANT`.
async fn step(app: &TestApp, token: &str, op: &str, args: &str, id: &str) -> Value {
    let q = format!("mutation($id: ID!) {{ {op}(id: $id{args}) {{ {GRANT} }} }}");
    app.ok(token, &q, json!({ "id": id })).await[op].clone()
}

async fn refused(app: &TestApp, token: &str, op: &str, args: &str, id: &str) -> (String, String) {
    let q = format!("mutation($id: ID!) {{ {op}(id: $id{args}) {{ id }} }}");
    app.refused(Some(token), &q, json!({ "id": id })).await
}

async fn read(app: &TestApp, token: &str, id: &str, fields: &str) -> Value {
    let q = format!("query($id: ID!) {{ grant(id: $id) {{ {fields} }} }}");
    app.ok(token, &q, json!({ "id": id })).await["grant"].clone()
}

async fn ledger(app: &TestApp, code: &str) -> Value {
    app.ok(APPROVER, LEDGER, json!({ "c": code })).await["grantProgram"]["ledger"].clone()
}

fn balanced(l: &Value) -> bool {
    let n = |k: &str| l[k].as_i64().unwrap();
    n("appropriated") == n("available") + n("committed") + n("disbursed") + n("lapsed")
}

const SCORES_80: &str = r#", scores: [{criterion: "need", points: 40, comment: "Clear need."}, {criterion: "plan", points: 45, comment: "Sound plan."}]"#;
const SCORES_75: &str = r#", scores: [{criterion: "need", points: 35, comment: "Need shown."}, {criterion: "plan", points: 40, comment: "Plan needs detail."}]"#;

/// An application taken to `SCORED` by one reviewer (a program of one
/// reviewer per application).
async fn scored_by_one(app: &TestApp, rep: &str, program: &str, amount: i64) -> String {
    let id = open_application(app, rep, program, proposal(amount, 0)).await;
    assert_eq!(
        step(app, rep, "submitGrantApplication", "", &id).await["stateName"],
        "submitted"
    );
    step(app, REVIEWER, "acceptGrantApplicationAsComplete", "", &id).await;
    step(
        app,
        APPROVER,
        "assignGrantReviewer",
        r#", reviewerId: "rita""#,
        &id,
    )
    .await;
    step(app, REVIEWER, "declareGrantConflicts", "", &id).await;
    let scored = step(app, REVIEWER, "scoreGrantApplication", SCORES_80, &id).await;
    assert_eq!(scored["stateName"], "scored");
    id
}

/// A third SEA reviewer, `quinn`, with the token `test-reviewer-3`.
async fn add_reviewer(app: &TestApp) {
    use leeway_entities::user;
    use sea_orm::{ActiveModelTrait, Set};
    let db = &app.running.app.db;
    user::ActiveModel {
        id: Set("quinn".into()),
        name: Set("Quinn Reviewer".into()),
        email: Set("quinn@sea.test.example".into()),
        role: Set("sea_reviewer".into()),
        organisation_id: Set("sea".into()),
        created_at: Set(Utc::now()),
        deactivated_at: Set(None),
    }
    .insert(db)
    .await
    .unwrap();
    leeway_api::auth::issue_token(db, "quinn", "test", Some("test-reviewer-3".into()))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_grant_from_program_to_payment_with_recusal_and_scoring_rules() {
    let app = TestApp::start(FAST_CLOCKS).await;
    let db = &app.running.app.db;
    use sea_orm::ConnectionTrait;
    // Riverbend is flagged under-resourced; sam once worked there.
    db.execute_unprepared(
        "UPDATE organisations SET equity_flags = '[\"under_resourced\"]' WHERE id = 'riverbend'",
    )
    .await
    .unwrap();
    db.execute_unprepared(
        "INSERT INTO user_affiliations (user_id, organisation_id, kind) VALUES ('sam', 'riverbend', 'former_employer')",
    )
    .await
    .unwrap();
    add_reviewer(&app).await;

    let terms = ProgramTerms::new("MASTERY");
    let (code, _) = app
        .refused(
            Some(APPLICANT),
            "mutation($p: GrantProgramInput!) { createGrantProgram(program: $p) { id } }",
            json!({ "p": terms.input() }),
        )
        .await;
    assert_eq!(code, "FORBIDDEN");
    let mut bad = terms.input();
    bad["minAward"] = json!(60_000_000);
    let (code, message) = app
        .refused(
            Some(APPROVER),
            "mutation($p: GrantProgramInput!) { createGrantProgram(program: $p) { id } }",
            json!({ "p": bad }),
        )
        .await;
    assert_eq!(code, "VALIDATION");
    assert!(message.contains("minimum award ($600,000.00)"), "{message}");
    create_program(&app, &terms).await;
    let l = ledger(&app, "mastery").await;
    assert_eq!(l["available"], 140_000_000);
    assert!(balanced(&l));

    // The district writes, then its representative certifies and submits.
    let id = open_application(&app, APPLICANT, "MASTERY", proposal(2_000_000, 500_000)).await;
    let (code, _) = refused(&app, APPLICANT, "submitGrantApplication", "", &id).await;
    assert_eq!(code, "FORBIDDEN");
    let g = step(&app, REP, "submitGrantApplication", "", &id).await;
    assert_eq!(g["stateName"], "submitted");
    assert_eq!(g["requested"], 2_500_000);
    step(&app, REVIEWER, "acceptGrantApplicationAsComplete", "", &id).await;

    // The panel: rita is cleared; sam has a tie on record and is recused
    // whatever he declares; quinn replaces him.
    step(
        &app,
        APPROVER,
        "assignGrantReviewer",
        r#", reviewerId: "rita""#,
        &id,
    )
    .await;
    step(
        &app,
        APPROVER,
        "assignGrantReviewer",
        r#", reviewerId: "sam""#,
        &id,
    )
    .await;
    let (code, _) = refused(
        &app,
        APPROVER,
        "assignGrantReviewer",
        r#", reviewerId: "quinn""#,
        &id,
    )
    .await;
    assert_eq!(code, "INVALID_TRANSITION", "the panel of two is full");
    assert!(read(&app, REVIEWER, &id, "proposal { narrative }").await["proposal"].is_null());
    step(&app, REVIEWER, "declareGrantConflicts", "", &id).await;
    let seen = read(
        &app,
        REVIEWER,
        &id,
        "proposal { narrative budget { amount } }",
    )
    .await;
    assert_eq!(seen["proposal"]["budget"][0]["amount"], 2_000_000);
    let g = step(&app, REVIEWER_2, "declareGrantConflicts", "", &id).await;
    let sam = g["panel"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["reviewerId"] == "sam")
        .unwrap()
        .clone();
    assert_eq!(sam["state"], "RECUSED");
    assert!(
        sam["recusalReason"]
            .as_str()
            .unwrap()
            .contains("former employer tie to riverbend")
    );
    let sealed = read(
        &app,
        REVIEWER_2,
        &id,
        "proposal { narrative } snapshots { content { __typename } }",
    )
    .await;
    assert_eq!(
        sealed,
        json!({ "proposal": null, "snapshots": [{ "content": null }] }),
        "a recused reviewer reads the application"
    );
    let (code, _) = refused(&app, REVIEWER_2, "scoreGrantApplication", SCORES_80, &id).await;
    assert_eq!(code, "FORBIDDEN");
    step(
        &app,
        APPROVER,
        "assignGrantReviewer",
        r#", reviewerId: "quinn""#,
        &id,
    )
    .await;
    step(&app, "test-reviewer-3", "declareGrantConflicts", "", &id).await;

    // Scoring: each reviewer sees only their own until every score is in;
    // the district sees none before the decision.
    let g = step(&app, REVIEWER, "scoreGrantApplication", SCORES_80, &id).await;
    assert_eq!(g["stateName"], "in_review");
    assert_eq!(g["scores"].as_array().unwrap().len(), 1);
    let quinn = read(
        &app,
        "test-reviewer-3",
        &id,
        "scores { reviewerId } panel { reviewerId }",
    )
    .await;
    assert_eq!(quinn["scores"], json!([]), "quinn sees rita's scores early");
    assert_eq!(quinn["panel"], json!([{ "reviewerId": "quinn" }]));
    let district = read(
        &app,
        APPLICANT,
        &id,
        "scores { total } aggregate { mean } panel { reviewerId }",
    )
    .await;
    assert_eq!(
        district,
        json!({ "scores": [], "aggregate": null, "panel": [] })
    );
    let g = step(
        &app,
        "test-reviewer-3",
        "scoreGrantApplication",
        SCORES_75,
        &id,
    )
    .await;
    assert_eq!(g["stateName"], "scored");
    assert_eq!(
        g["aggregate"],
        json!({ "mean": 80.0, "spread": 10, "equityPoints": 5, "total": 85.0, "disagreement": false })
    );
    let quinn = read(&app, "test-reviewer-3", &id, "scores { reviewerId }").await;
    assert_eq!(quinn["scores"].as_array().unwrap().len(), 2);
    // The recused reviewer never sees the scores, nor the budget asked.
    let sam = read(
        &app,
        REVIEWER_2,
        &id,
        "scores { reviewerId } requested requestedBudget { amount }",
    )
    .await;
    assert_eq!(
        sam,
        json!({ "scores": [], "requested": null, "requestedBudget": [] })
    );
    let slate = app
        .ok(
            REVIEWER,
            "{ grantProgramCase(code: \"MASTERY\") { slate { rank } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        slate["grantProgramCase"]["slate"],
        json!([]),
        "reviewers do not read the slate"
    );
    let slate = app
        .ok(
            APPROVER,
            "{ grantProgramCase(code: \"MASTERY\") { slate { rank grantId totalScore } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        slate["grantProgramCase"]["slate"],
        json!([{ "rank": 1, "grantId": id, "totalScore": 85.0 }])
    );

    // A reduced award needs reasons; the budget is cut in proportion.
    let (code, _) = refused(&app, APPROVER, "awardGrant", ", amount: 2000000", &id).await;
    assert_eq!(code, "VALIDATION");
    let g = step(
        &app,
        APPROVER,
        "awardGrant",
        r#", amount: 2000000, reasons: ["Supplies are partly covered by the district."]"#,
        &id,
    )
    .await;
    assert_eq!(g["stateName"], "offered");
    let budget = g["award"]["budget"].as_array().unwrap();
    let sum: i64 = budget.iter().map(|c| c["amount"].as_i64().unwrap()).sum();
    assert_eq!(sum, 2_000_000);
    assert_eq!(
        budget[0],
        json!({ "category": "PERSONNEL", "amount": 1_600_000, "claimed": 0 })
    );
    let l = ledger(&app, "MASTERY").await;
    assert_eq!(
        (l["available"].as_i64(), l["committed"].as_i64()),
        (Some(138_000_000), Some(2_000_000))
    );

    // The district now reads the scores, but never who gave them, nor who
    // was on the panel.
    let district = read(
        &app,
        APPLICANT,
        &id,
        "scores { reviewerId total } history { command actorUserId reasonsWithheld }",
    )
    .await;
    assert_eq!(
        district["scores"],
        json!([{ "reviewerId": null, "total": 85 }, { "reviewerId": null, "total": 75 }])
    );
    for e in district["history"].as_array().unwrap() {
        if ["score", "declare_conflicts", "assign_reviewer"]
            .contains(&e["command"].as_str().unwrap())
        {
            assert_eq!(e["actorUserId"], "withheld", "{e}");
            assert_eq!(e["reasonsWithheld"], true);
        }
    }

    let g = step(&app, REP, "acceptGrantAward", "", &id).await;
    assert_eq!(g["stateName"], "active");
    assert_eq!(
        g["reports"].as_array().unwrap().len(),
        3,
        "reports every 90 days of 300"
    );

    // Claims: above the balance, over a category's budget, then one that fits.
    let today = Utc::now().date_naive().to_string();
    let claim = |category: &str, amount: i64| {
        format!(
            r#", claim: {{ category: {category}, amount: {amount}, incurredOn: "{today}", documentation: ["INV-1"] }}"#
        )
    };
    let (code, message) = refused(
        &app,
        APPLICANT,
        "submitGrantClaim",
        &claim("PERSONNEL", 2_100_000),
        &id,
    )
    .await;
    assert_eq!(code, "VALIDATION");
    assert!(
        message.contains("remaining balance of $20,000.00"),
        "{message}"
    );
    let (code, message) = refused(
        &app,
        APPLICANT,
        "submitGrantClaim",
        &claim("PERSONNEL", 1_800_000),
        &id,
    )
    .await;
    assert_eq!(code, "VALIDATION");
    assert!(message.contains("budget amendment"), "{message}");
    let g = step(
        &app,
        APPLICANT,
        "submitGrantClaim",
        &claim("PERSONNEL", 1_700_000),
        &id,
    )
    .await;
    assert_eq!(g["award"]["remaining"], 300_000);
    let (code, _) = refused(
        &app,
        APPLICANT,
        "approveGrantClaim",
        r#", claim: 1, paymentReference: "W-1""#,
        &id,
    )
    .await;
    assert_eq!(code, "FORBIDDEN");
    let g = step(
        &app,
        FISCAL,
        "approveGrantClaim",
        r#", claim: 1, paymentReference: "Warrant 2027-0042""#,
        &id,
    )
    .await;
    assert_eq!(g["claims"][0]["state"], "PAID");
    let l = ledger(&app, "MASTERY").await;
    assert_eq!(
        (
            l["available"].as_i64(),
            l["committed"].as_i64(),
            l["disbursed"].as_i64()
        ),
        (Some(138_000_000), Some(300_000), Some(1_700_000))
    );
    assert!(balanced(&l));

    // A budget amendment above the threshold waits for the approver.
    let g = step(&app, APPLICANT, "requestGrantBudgetAmendment", r#", amendment: { from: SUPPLIES, to: PERSONNEL, amount: 100000, reason: "Stipends for a summer institute" }"#, &id).await;
    assert_eq!(g["award"]["budget"][0]["amount"], 1_600_000);
    let g = step(
        &app,
        APPROVER,
        "approveGrantBudgetAmendment",
        ", amendment: 1",
        &id,
    )
    .await;
    assert_eq!(g["award"]["budget"][0]["amount"], 1_700_000);

    // Awarded grants are public: no token.
    let public = app
        .gql(
            None,
            "{ grantAwards { organisationId programName amount purpose } }",
            json!({}),
        )
        .await;
    assert_eq!(
        public["data"]["grantAwards"],
        json!([{ "organisationId": "riverbend", "programName": "MASTERY grants", "amount": 2_000_000, "purpose": "Mastery-based learning in member districts" }])
    );

    app.keep_history("grant-awarded-and-paid", &id).await;
    let audit = app
        .ok(
            APPROVER,
            "{ auditVerification { intact entries } }",
            json!({}),
        )
        .await;
    assert_eq!(audit["auditVerification"]["intact"], true, "{audit}");

    // Phase 2 is refused while phase 1 is open.
    let mut implementation = ProgramTerms::new("MASTERY-IMPL");
    implementation.phase = "IMPLEMENTATION";
    implementation.follows = Some("MASTERY");
    create_program(&app, &implementation).await;
    let phase_two = open_application(&app, REP, "MASTERY-IMPL", proposal(2_000_000, 0)).await;
    let (code, message) = refused(&app, REP, "submitGrantApplication", "", &phase_two).await;
    assert_eq!(code, "VALIDATION");
    assert!(
        message.contains(&id) && message.contains("closed out"),
        "{message}"
    );

    // Email went out over SMTP at the steps the district hears of.
    let mails = app.smtp.mails();
    for subject in [
        "Grant awarded: MASTERY grants",
        "Claim 1 paid: MASTERY grants",
    ] {
        assert!(
            mails.iter().any(|m| m.data.contains(subject)),
            "no email `{subject}`"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn twenty_awards_at_once_never_overdraw_the_appropriation() {
    let app = TestApp::start(FAST_CLOCKS).await;
    let mut terms = ProgramTerms::new("RACE");
    // Room for seven awards of $10,000 and $5,000 over.
    terms.appropriation = 7_500_000;
    terms.min = 1_000_000;
    terms.max = 1_000_000;
    terms.reviewers = 1;
    create_program(&app, &terms).await;
    let mut ids = Vec::new();
    for n in 0..20 {
        let district = format!("race-{n:02}");
        let token = format!("race-rep-{n:02}");
        app.add_district(&district, &token).await;
        ids.push((token, district));
    }
    let scored = futures::future::join_all(
        ids.iter()
            .map(|(token, _)| scored_by_one(&app, token, "RACE", 1_000_000)),
    )
    .await;
    let awards = futures::future::join_all(scored.iter().map(|id| {
        app.gql(
            Some(APPROVER),
            "mutation($id: ID!) { awardGrant(id: $id) { stateName } }",
            json!({ "id": id }),
        )
    }))
    .await;
    let won = awards
        .iter()
        .filter(|b| b["data"]["awardGrant"]["stateName"] == "offered")
        .count();
    let conflicts: Vec<&str> = awards
        .iter()
        .filter(|b| b["errors"][0]["extensions"]["code"] == "CONFLICT")
        .map(|b| b["errors"][0]["message"].as_str().unwrap())
        .collect();
    assert_eq!(won, 7, "{awards:#?}");
    assert_eq!(conflicts.len(), 13, "{awards:#?}");
    assert!(
        conflicts.iter().all(|m| m.contains("Only $5,000.00")),
        "{conflicts:?}"
    );
    let l = ledger(&app, "RACE").await;
    eprintln!("ledger after 20 simultaneous awards: {l}");
    assert_eq!(
        (
            l["appropriated"].as_i64(),
            l["available"].as_i64(),
            l["committed"].as_i64()
        ),
        (Some(7_500_000), Some(500_000), Some(7_000_000))
    );
    assert!(balanced(&l));
    // The annual report's compile reads the same money.
    let money = leeway_workflows::report_figures::grant_money(&app.running.app.db)
        .await
        .unwrap();
    let race = money.iter().find(|m| m.program == "RACE").unwrap();
    assert_eq!(
        (race.appropriated, race.awarded, race.disbursed, race.lapsed),
        (7_500_000, 7_000_000, 0, 0)
    );
    app.stop().await;
}

#[tokio::test]
async fn an_overdue_report_holds_claims_and_then_escalates() {
    let app = TestApp::start(FAST_CLOCKS).await;
    let mut terms = ProgramTerms::new("REPORTS");
    terms.reviewers = 1;
    terms.report_every = "8s";
    terms.window_closes = Span::seconds(120);
    terms.period_ends = Span::hours(1);
    create_program(&app, &terms).await;
    let id = scored_by_one(&app, REP, "REPORTS", 2_000_000).await;
    step(&app, APPROVER, "awardGrant", "", &id).await;
    step(&app, REP, "acceptGrantAward", "", &id).await;
    let escalated = app
        .eventually(
            APPROVER,
            "query($id: ID!) { grant(id: $id) { reports { no overdue escalated } history { command } notifications { subject } } }",
            json!({ "id": id }),
            Duration::from_secs(40),
            |d| d["grant"]["reports"][0]["escalated"] == true,
        )
        .await;
    let commands: Vec<&str> = escalated["grant"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["command"].as_str().unwrap())
        .collect();
    assert!(
        commands.contains(&"remind_report") && commands.contains(&"mark_report_overdue"),
        "{commands:?}"
    );
    assert!(
        escalated["grant"]["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["subject"] == "Overdue report escalated: riverbend"),
        "{escalated:#}"
    );
    let today = Utc::now().date_naive().to_string();
    let claim = format!(
        r#", claim: {{ category: PERSONNEL, amount: 1000, incurredOn: "{today}", documentation: ["INV-7"] }}"#
    );
    let (code, message) = refused(&app, REP, "submitGrantClaim", &claim, &id).await;
    assert_eq!(code, "INVALID_TRANSITION");
    assert!(
        message.contains("report 1") && message.contains("overdue"),
        "{message}"
    );
    let g = step(
        &app,
        REP,
        "submitGrantReport",
        r#", narrative: "Eight teachers trained; $0 spent so far.""#,
        &id,
    )
    .await;
    assert!(g["reports"][0]["submittedAt"].is_string());
    let g = step(&app, REP, "submitGrantClaim", &claim, &id).await;
    assert_eq!(g["claims"][0]["state"], "PENDING");
    app.stop().await;
}

#[tokio::test]
async fn closeout_lapses_what_was_unspent_after_the_fiscal_year() {
    let app = TestApp::start(FAST_CLOCKS).await;
    let mut terms = ProgramTerms::new("SHORT");
    terms.appropriation = 5_000_000;
    terms.max = 5_000_000;
    terms.reviewers = 1;
    terms.report_every = "1d";
    terms.window_closes = Span::seconds(20);
    terms.period_ends = Span::seconds(25);
    terms.lapses = Span::seconds(30);
    create_program(&app, &terms).await;
    let id = scored_by_one(&app, REP, "SHORT", 1_000_000).await;
    step(&app, APPROVER, "awardGrant", "", &id).await;
    step(&app, REP, "acceptGrantAward", "", &id).await;
    let today = Utc::now().date_naive().to_string();
    let claim = format!(
        r#", claim: {{ category: PERSONNEL, amount: 300000, incurredOn: "{today}", documentation: ["PAYROLL-3"] }}"#
    );
    step(&app, REP, "submitGrantClaim", &claim, &id).await;
    step(
        &app,
        FISCAL,
        "approveGrantClaim",
        r#", claim: 1, paymentReference: "W-9""#,
        &id,
    )
    .await;
    app.eventually(
        REP,
        "query($id: ID!) { grant(id: $id) { stateName } }",
        json!({ "id": id }),
        Duration::from_secs(40),
        |d| d["grant"]["stateName"] == "closeout",
    )
    .await;
    let (code, _) = refused(&app, FISCAL, "closeOutGrant", "", &id).await;
    assert_eq!(
        code, "INVALID_TRANSITION",
        "closed out before the final report"
    );
    step(
        &app,
        REP,
        "submitGrantReport",
        r#", narrative: "Final: goals met in two of three schools.""#,
        &id,
    )
    .await;
    step(&app, REVIEWER, "acceptGrantFinalReport", "", &id).await;
    let lapsed = app
        .eventually(
            APPROVER,
            LEDGER,
            json!({ "c": "SHORT" }),
            Duration::from_secs(40),
            |d| d["grantProgram"]["state"] == "LAPSED",
        )
        .await;
    let l = &lapsed["grantProgram"]["ledger"];
    assert_eq!(
        (l["available"].as_i64(), l["lapsed"].as_i64()),
        (Some(0), Some(4_000_000))
    );
    let g = step(&app, FISCAL, "closeOutGrant", "", &id).await;
    assert_eq!(g["stateName"], "closed_out");
    assert_eq!(g["returned"], 700_000);
    let l = ledger(&app, "SHORT").await;
    assert_eq!(
        l,
        json!({ "appropriated": 5_000_000, "available": 0, "committed": 0, "disbursed": 300_000, "lapsed": 4_700_000, "closedAt": l["closedAt"] })
    );
    assert!(balanced(&l));
    app.stop().await;
}

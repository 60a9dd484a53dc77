//! Learning-network memberships end to end: GraphQL over HTTP, the real
//! Temporal dev server, SQLite (or PostgreSQL when DATABASE_URL is set)
//! and a real SMTP server. The fast-clocks profile's networks: SEATS (cap
//! 2, clocks of a day), FAST (cap 1, ranked by review, clocks of seconds),
//! INCUBATOR (cap 20) and CLOSED (a window long past).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use leeway_tests::{FAST_CLOCKS, TestApp};
use serde_json::{Value, json};
use std::time::Duration;

const APPLICANT: &str = "demo-district-applicant";
const REVIEWER: &str = "demo-reviewer";
const APPROVER: &str = "demo-approver";
const AUDITOR: &str = "demo-auditor";
const ADMIN: &str = "demo-admin";

/// The authorized representatives of the demo's districts and charter.
const RIVERBEND: &str = "demo-district-rep";
const HILLCREST: &str = "demo-other-district-rep";
const LAKESIDE: &str = "demo-lakeside-rep";
const SUMMIT: &str = "demo-summit-rep";
const PINECREST: &str = "demo-pinecrest-rep";

const FIELDS: &str =
    "id state stateName cohort offerExpiresAt holdsSeat waitListPosition reviewScore
    history { seq command fromState toState actorRole reasons }
    notifications { subject recipientEmail status }
    openDeadlines { kind dueAt }";

fn application(network: &str) -> Value {
    let readiness = if network == "SEATS" {
        json!([{ "questionId": "leadership", "answer": "The superintendent leads a design team of teachers." }])
    } else {
        json!([])
    };
    json!({
        "letter": "We commit to the network's work for the coming years.",
        "commitments": ["convenings"],
        "readiness": readiness,
        "studentsReached": 1200
    })
}

fn mutation(op: &str, args: &str) -> String {
    format!("mutation($id: ID!) {{ {op}(id: $id{args}) {{ {FIELDS} }} }}")
}

async fn step(app: &TestApp, token: &str, op: &str, args: &str, id: &str) -> Value {
    app.ok(token, &mutation(op, args), json!({ "id": id }))
        .await[op]
        .clone()
}

async fn open(app: &TestApp, token: &str, network: &str) -> String {
    let data = app
        .ok(
            token,
            "mutation($n: String!, $a: NetworkApplicationInput!) { openNetworkApplication(network: $n, application: $a) { id state } }",
            json!({ "n": network, "a": application(network) }),
        )
        .await;
    assert_eq!(data["openNetworkApplication"]["state"], "DRAFT");
    data["openNetworkApplication"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Applied, certified, complete and reviewed: ready for the decision.
async fn reviewed(app: &TestApp, token: &str, network: &str, score: u32) -> String {
    let id = open(app, token, network).await;
    let s = step(app, token, "submitNetworkApplication", "", &id).await;
    assert_eq!(s["state"], "SUBMITTED");
    let s = step(app, REVIEWER, "acceptNetworkApplicationAsComplete", "", &id).await;
    assert_eq!(s["state"], "IN_REVIEW");
    let args = format!(", score: {score}, summary: \"A ready team.\"");
    let s = step(app, REVIEWER, "reviewNetworkApplication", &args, &id).await;
    assert_eq!(s["state"], "REVIEWED");
    assert_eq!(s["reviewScore"], score, "SEA staff read the score");
    // Until the approver decides, the review is the SEA's own.
    let theirs = app
        .ok(token, "query($id: ID!) { networkMembership(id: $id) { reviewScore history { command reasons reasonsWithheld } } }", json!({ "id": id }))
        .await["networkMembership"]
        .clone();
    assert!(theirs["reviewScore"].is_null(), "{theirs:#}");
    let review = theirs["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["command"] == "review")
        .unwrap();
    assert_eq!(review["reasonsWithheld"], true);
    assert_eq!(review["reasons"], json!([]));
    id
}

const PROGRAM: &str = "query($c: String!) { networkProgram(code: $c) { cap seatsHeld waitListLength members { organisationId state cohort } } }";
const MEMBERSHIP: &str = "query($id: ID!) { networkMembership(id: $id) { id state offerExpiresAt cohort waitListPosition history { command actorRole reasons } notifications { subject recipientEmail status } openDeadlines { kind dueAt } } }";
const VERIFY: &str =
    "{ auditVerification { intact chains entries problems { chain seq problem } } }";

async fn seats(app: &TestApp, network: &str) -> Value {
    app.ok(AUDITOR, PROGRAM, json!({ "c": network })).await["networkProgram"].clone()
}

async fn until_state(app: &TestApp, id: &str, state: &str, within: Duration) -> Value {
    app.eventually(APPROVER, MEMBERSHIP, json!({ "id": id }), within, |d| {
        d["networkMembership"]["state"] == state
    })
    .await["networkMembership"]
        .clone()
}

fn commands(case: &Value) -> Vec<String> {
    case["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["command"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cap_reached_wait_list_exit_offer_and_acceptance() {
    let app = TestApp::start(FAST_CLOCKS).await;
    let river = reviewed(&app, RIVERBEND, "SEATS", 70).await;
    let hill = reviewed(&app, HILLCREST, "SEATS", 80).await;
    let lake = reviewed(&app, LAKESIDE, "SEATS", 90).await;
    let summit = reviewed(&app, SUMMIT, "SEATS", 60).await;

    // Two seats: two selections, then the cap holds.
    let s = step(&app, APPROVER, "selectNetworkApplicant", "", &river).await;
    assert_eq!(s["state"], "PLANNING");
    assert_eq!(s["holdsSeat"], true);
    assert!(s["cohort"].as_str().unwrap().contains('-'), "{s:#}");
    step(&app, APPROVER, "selectNetworkApplicant", "", &hill).await;
    let (code, message) = app
        .refused(
            Some(APPROVER),
            &mutation("selectNetworkApplicant", ""),
            json!({ "id": lake }),
        )
        .await;
    assert_eq!(code, "CONFLICT", "{message}");
    assert!(message.contains("No seat is free"), "{message}");
    let after = app.ok(APPROVER, MEMBERSHIP, json!({ "id": lake })).await;
    assert_eq!(
        after["networkMembership"]["state"], "REVIEWED",
        "a refused selection leaves the case where it was"
    );

    // The rest go on the wait list, in the order they were submitted.
    let s = step(&app, APPROVER, "waitListNetworkApplicant", "", &lake).await;
    assert_eq!(s["state"], "WAIT_LISTED");
    assert_eq!(s["waitListPosition"], 1);
    let s = step(&app, APPROVER, "waitListNetworkApplicant", "", &summit).await;
    assert_eq!(s["waitListPosition"], 2);
    let p = seats(&app, "SEATS").await;
    assert_eq!(
        (
            p["cap"].clone(),
            p["seatsHeld"].clone(),
            p["waitListLength"].clone()
        ),
        (json!(2), json!(2), json!(2))
    );

    // A network's code reads in any case, in lists too.
    let listed = |code: &'static str| {
        let app = &app;
        async move {
            app.ok(
                APPROVER,
                "query($n: String) { networkMemberships(network: $n) { edges { node { id } } } }",
                json!({ "n": code }),
            )
            .await["networkMemberships"]["edges"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(listed("SEATS").await, 4);
    assert_eq!(listed("seats").await, 4);

    // Another district can neither read nor act on Lakeside's application.
    let (code, _) = app
        .refused(Some(HILLCREST), MEMBERSHIP, json!({ "id": lake }))
        .await;
    assert_eq!(code, "FORBIDDEN");
    let (code, _) = app
        .refused(
            Some(HILLCREST),
            &mutation("acceptNetworkSeatOffer", ""),
            json!({ "id": lake }),
        )
        .await;
    assert_eq!(code, "FORBIDDEN");

    // Riverbend leaves: its seat is offered to Lakeside, first on the list.
    let s = step(
        &app,
        RIVERBEND,
        "exitNetwork",
        ", reason: \"Our board voted to leave.\"",
        &river,
    )
    .await;
    assert_eq!(s["state"], "EXITED");
    let offered = until_state(&app, &lake, "OFFERED", Duration::from_secs(30)).await;
    assert!(offered["offerExpiresAt"].is_string());
    assert!(
        offered["openDeadlines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"] == "offer_acceptance")
    );
    let offer = offered["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (offer["command"].as_str(), offer["actorRole"].as_str()),
        (Some("offer_seat"), Some("system"))
    );
    let p = seats(&app, "SEATS").await;
    assert_eq!(p["seatsHeld"], 2, "the freed seat is held by the offer");
    assert_eq!(p["waitListLength"], 1);

    // Lakeside accepts: it joins the cohort.
    let s = step(&app, LAKESIDE, "acceptNetworkSeatOffer", "", &lake).await;
    assert_eq!(s["state"], "PLANNING");
    assert!(s["cohort"].is_string());

    // The public list: no token needed.
    let public = app.gql(None, PROGRAM, json!({ "c": "SEATS" })).await;
    let members: Vec<&str> = public["data"]["networkProgram"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["organisationId"].as_str().unwrap())
        .collect();
    assert_eq!(members.len(), 2, "{public:#}");
    assert!(members.contains(&"hillcrest") && members.contains(&"lakeside"));

    // Emails: the seat offer reached Lakeside's staff, once.
    let data = app
        .eventually(
            APPROVER,
            MEMBERSHIP,
            json!({ "id": lake }),
            Duration::from_secs(30),
            |d| {
                d["networkMembership"]["notifications"]
                    .as_array()
                    .is_some_and(|n| n.iter().all(|x| x["status"] == "SENT"))
            },
        )
        .await;
    assert!(
        data["networkMembership"]["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["recipientEmail"] == "lena@lakeside.demo.example"
                && n["subject"]
                    .as_str()
                    .unwrap()
                    .starts_with("A seat is offered to you"))
    );

    let verify = app.ok(AUDITOR, VERIFY, json!({})).await;
    assert_eq!(verify["auditVerification"]["intact"], true, "{verify:#}");
    for (name, id) in [
        ("membership-exit", &river),
        ("membership-offer-accepted", &lake),
    ] {
        app.replay(id).await.unwrap();
        app.keep_history(name, id).await;
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_offer_passes_to_the_next_by_review_rank() {
    let app = TestApp::start(FAST_CLOCKS).await;
    let river = reviewed(&app, RIVERBEND, "FAST", 50).await;
    let hill = reviewed(&app, HILLCREST, "FAST", 60).await;
    let lake = reviewed(&app, LAKESIDE, "FAST", 90).await;
    step(&app, APPROVER, "selectNetworkApplicant", "", &river).await;
    step(&app, APPROVER, "waitListNetworkApplicant", "", &hill).await;
    let s = step(&app, APPROVER, "waitListNetworkApplicant", "", &lake).await;
    assert_eq!(
        s["waitListPosition"], 1,
        "FAST ranks its wait list by review score: 90 goes before 60"
    );

    step(
        &app,
        RIVERBEND,
        "exitNetwork",
        ", reason: \"Leaving.\"",
        &river,
    )
    .await;
    until_state(&app, &lake, "OFFERED", Duration::from_secs(30)).await;
    // Nobody answers within FAST's 3-second acceptance clock.
    let expired = until_state(&app, &lake, "OFFER_EXPIRED", Duration::from_secs(30)).await;
    assert!(commands(&expired).ends_with(&["offer_seat".into(), "expire_offer".into()]));
    until_state(&app, &hill, "OFFERED", Duration::from_secs(30)).await;
    let s = step(
        &app,
        HILLCREST,
        "declineNetworkSeatOffer",
        ", reason: \"Not this year.\"",
        &hill,
    )
    .await;
    assert_eq!(s["state"], "OFFER_DECLINED");
    // Nobody left waiting: the seat is free again.
    let p = app
        .eventually(
            AUDITOR,
            PROGRAM,
            json!({ "c": "FAST" }),
            Duration::from_secs(10),
            |d| d["networkProgram"]["seatsHeld"] == 0,
        )
        .await;
    assert_eq!(p["networkProgram"]["waitListLength"], 0);
    // Wait-listed while a seat is free: the seat is offered at once.
    let pine = reviewed(&app, PINECREST, "FAST", 40).await;
    step(&app, APPROVER, "waitListNetworkApplicant", "", &pine).await;
    until_state(&app, &pine, "OFFERED", Duration::from_secs(30)).await;
    app.keep_history("membership-offer-expired", &lake).await;
    app.replay(&lake).await.unwrap();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifting_the_cap_offers_seats_to_the_wait_list_in_order() {
    let app = TestApp::start(FAST_CLOCKS).await;
    let mut ids = Vec::new();
    for (token, score) in [
        (RIVERBEND, 50),
        (HILLCREST, 50),
        (LAKESIDE, 50),
        (SUMMIT, 50),
        (PINECREST, 50),
    ] {
        ids.push(reviewed(&app, token, "SEATS", score).await);
    }
    step(&app, APPROVER, "selectNetworkApplicant", "", &ids[0]).await;
    step(&app, APPROVER, "selectNetworkApplicant", "", &ids[1]).await;
    for id in &ids[2..] {
        step(&app, APPROVER, "waitListNetworkApplicant", "", id).await;
    }
    let change = "mutation($c: Int, $why: String!) { changeNetworkCap(network: \"SEATS\", cap: $c, citation: $why) { stateName history { command reasons actorRole } } }";
    let (code, _) = app
        .refused(
            Some(APPROVER),
            change,
            json!({ "c": 3, "why": "Test Laws 2027 ch. 1" }),
        )
        .await;
    assert_eq!(code, "FORBIDDEN", "only an administrator changes the cap");
    let (code, _) = app
        .refused(Some(ADMIN), change, json!({ "c": 3, "why": "  " }))
        .await;
    assert_eq!(code, "VALIDATION", "a cap change cites its law");

    let raised = app
        .ok(
            ADMIN,
            change,
            json!({ "c": 3, "why": "Test Laws 2027 ch. 1" }),
        )
        .await;
    let last = raised["changeNetworkCap"]["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["command"], "change_cap");
    assert!(
        last["reasons"][0]
            .as_str()
            .unwrap()
            .contains("from 2 members to 3 members under Test Laws 2027 ch. 1")
    );
    until_state(&app, &ids[2], "OFFERED", Duration::from_secs(30)).await;
    let m = app.ok(APPROVER, MEMBERSHIP, json!({ "id": ids[3] })).await;
    assert_eq!(
        m["networkMembership"]["state"], "WAIT_LISTED",
        "one new seat, one offer"
    );

    app.ok(
        ADMIN,
        change,
        json!({ "c": null, "why": "Test Laws 2028 ch. 9 repeals the cap" }),
    )
    .await;
    for id in &ids[3..] {
        until_state(&app, id, "OFFERED", Duration::from_secs(30)).await;
    }
    let p = seats(&app, "SEATS").await;
    assert_eq!(p["cap"], Value::Null);
    assert_eq!(p["seatsHeld"], 5);
    assert_eq!(p["waitListLength"], 0);
    let network = app
        .ok(
            APPROVER,
            "{ network(code: \"SEATS\") { stateName history { command } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        commands(&network["network"]),
        ["open", "change_cap", "change_cap"]
    );
    let verify = app.ok(AUDITOR, VERIFY, json!({})).await;
    assert_eq!(verify["auditVerification"]["intact"], true, "{verify:#}");
    app.replay("network-seats").await.unwrap();
    app.keep_history("network-cap-changes", "network-seats")
        .await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_selections_at_once_never_exceed_the_cap() {
    let app = TestApp::start(FAST_CLOCKS).await;
    let mut tokens = Vec::new();
    for i in 0..50 {
        let token = format!("test-rep-{i}");
        app.add_district(&format!("d{i:02}"), &token).await;
        tokens.push(token);
    }
    // Fifty reviewed applications, ten at a time.
    let mut ids = Vec::new();
    for chunk in tokens.chunks(10) {
        let batch =
            futures::future::join_all(chunk.iter().map(|t| reviewed(&app, t, "INCUBATOR", 50)))
                .await;
        ids.extend(batch);
    }
    // Then the approver selects all fifty at the same moment.
    let select = mutation("selectNetworkApplicant", "");
    let results = futures::future::join_all(
        ids.iter()
            .map(|id| app.gql(Some(APPROVER), &select, json!({ "id": id }))),
    )
    .await;
    let mut selected = 0;
    for r in &results {
        match r["errors"][0]["extensions"]["code"].as_str() {
            None => selected += 1,
            Some("CONFLICT") => {}
            Some(other) => panic!("unexpected {other}: {r:#}"),
        }
    }
    assert_eq!(selected, 20, "exactly the cap is selected");
    let p = seats(&app, "INCUBATOR").await;
    assert_eq!(p["seatsHeld"], 20);
    assert_eq!(p["members"].as_array().unwrap().len(), 20);
    let verify = app.ok(AUDITOR, VERIFY, json!({})).await;
    assert_eq!(verify["auditVerification"]["intact"], true, "{verify:#}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missed_recommitment_escalates_then_lapses() {
    let app = TestApp::start(FAST_CLOCKS).await;
    let id = reviewed(&app, RIVERBEND, "FAST", 80).await;
    step(&app, APPROVER, "selectNetworkApplicant", "", &id).await;
    // FAST: a 2-second planning year, then a re-commitment due every 6
    // seconds with a reminder 3 seconds before.
    let active = app
        .eventually(
            APPROVER,
            MEMBERSHIP,
            json!({ "id": id }),
            Duration::from_secs(30),
            |d| commands(&d["networkMembership"]).contains(&"remind_recommitment".to_string()),
        )
        .await["networkMembership"]
        .clone();
    assert_eq!(active["state"], "ACTIVE");
    let handle = app
        .running
        .app
        .temporal
        .get_workflow_handle::<temporalio_client::UntypedWorkflow>(id.as_str());
    let first_run = handle
        .describe(Default::default())
        .await
        .unwrap()
        .run_id()
        .to_string();
    let s = step(
        &app,
        RIVERBEND,
        "recommitToNetwork",
        ", statement: \"Another year.\"",
        &id,
    )
    .await;
    assert_eq!(s["state"], "ACTIVE");
    // A re-commitment starts a fresh history: the workflow continued as new.
    let mut continued = false;
    for _ in 0..40 {
        let run = handle
            .describe(Default::default())
            .await
            .unwrap()
            .run_id()
            .to_string();
        if run != first_run {
            continued = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        continued,
        "the membership continued as new after re-committing"
    );
    // This time nobody re-commits: overdue at the deadline, lapsed after
    // the grace period.
    let lapsed = until_state(&app, &id, "LAPSED", Duration::from_secs(40)).await;
    let history = commands(&lapsed);
    let tail: Vec<&str> = history
        .iter()
        .rev()
        .take(3)
        .rev()
        .map(String::as_str)
        .collect();
    assert_eq!(
        tail,
        ["remind_recommitment", "mark_recommitment_overdue", "lapse"]
    );
    assert!(lapsed["notifications"].as_array().unwrap().iter().any(|n| {
        n["subject"]
            .as_str()
            .unwrap()
            .starts_with("Re-commitment overdue")
    }));
    let p = seats(&app, "FAST").await;
    assert_eq!(p["seatsHeld"], 0, "the lapsed member's seat is free");
    app.replay(&id).await.unwrap();
    app.keep_history("membership-continued-then-lapsed", &id)
        .await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_need_an_open_window_and_one_per_district() {
    let app = TestApp::start(FAST_CLOCKS).await;
    let id = open(&app, RIVERBEND, "CLOSED").await;
    let (code, message) = app
        .refused(
            Some(RIVERBEND),
            &mutation("submitNetworkApplication", ""),
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code, "INVALID_TRANSITION");
    assert!(
        message.contains("January 1, 2000 to January 31, 2000"),
        "{message}"
    );
    let (code, message) = app
        .refused(
            Some(APPLICANT),
            "mutation($a: NetworkApplicationInput!) { openNetworkApplication(network: \"CLOSED\", application: $a) { id } }",
            json!({ "a": application("CLOSED") }),
        )
        .await;
    assert_eq!(
        code, "CONFLICT",
        "one live application per district: {message}"
    );
    let (code, _) = app
        .refused(
            Some(APPLICANT),
            "mutation($a: NetworkApplicationInput!) { openNetworkApplication(network: \"NOPE\", application: $a) { id } }",
            json!({ "a": application("NOPE") }),
        )
        .await;
    assert_eq!(code, "NOT_FOUND");
    let (code, message) = app
        .refused(
            Some(APPLICANT),
            &mutation("withdrawNetworkApplication", ", reason: \"bye\\u0000\""),
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code, "VALIDATION");
    assert!(message.contains("NUL"), "{message}");
    let s = step(
        &app,
        APPLICANT,
        "withdrawNetworkApplication",
        ", reason: \"Not this year.\"",
        &id,
    )
    .await;
    assert_eq!(s["state"], "WITHDRAWN");
    let (code, _) = app
        .refused(
            Some(REVIEWER),
            &mutation("selectNetworkApplicant", ""),
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code, "FORBIDDEN", "the role is checked before the case");
    app.stop().await;
}

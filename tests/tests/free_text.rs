//! Every string a client can send to a mutation, tried with a NUL byte,
//! on whichever database the suite runs on (SQLite, or PostgreSQL when
//! DATABASE_URL names it, where a NUL once wedged a case for good). The
//! arguments come from the schema itself, so a new one is covered the day
//! it is added. Each must be refused as bad input, never accepted and
//! never answered UNAVAILABLE, and the cases must work afterwards.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use leeway_tests::{FAST_CLOCKS, TestApp};
use serde_json::{Map, Value, json};

const TOKENS: [&str; 6] = [
    "demo-district-applicant",
    "demo-district-rep",
    "demo-reviewer",
    "demo-approver",
    "demo-fiscal",
    "demo-admin",
];
/// A NUL (which PostgreSQL refuses in text) and a bell (which a clerk
/// never means to type): both must be refused wherever a string goes.
const POISONS: [&str; 2] = ["bye\u{0}", "ring\u{7}"];

const SCHEMA: &str = "{ __schema { mutationType { fields { name args { name defaultValue type { ...T } } } }
  types { name kind enumValues { name } inputFields { name defaultValue type { ...T } } } } }
  fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";

struct Ctx<'a> {
    poison: &'a str,
    types: &'a [Value],
    waiver: &'a str,
    membership: &'a str,
}

fn input_fields<'a>(ctx: &'a Ctx, name: &str) -> &'a [Value] {
    ctx.types
        .iter()
        .find(|t| t["name"] == name)
        .and_then(|t| t["inputFields"].as_array())
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn render(t: &Value) -> String {
    match t["kind"].as_str().unwrap() {
        "NON_NULL" => format!("{}!", render(&t["ofType"])),
        "LIST" => format!("[{}]", render(&t["ofType"])),
        _ => t["name"].as_str().unwrap().to_string(),
    }
}

/// Paths to every String or ID leaf under a type, `[]` marking a list.
fn leaves(ctx: &Ctx, t: &Value, path: Vec<String>, out: &mut Vec<Vec<String>>) {
    match t["kind"].as_str().unwrap() {
        "NON_NULL" => leaves(ctx, &t["ofType"], path, out),
        "LIST" => {
            let mut p = path;
            p.push("[]".into());
            leaves(ctx, &t["ofType"], p, out)
        }
        "SCALAR" if matches!(t["name"].as_str(), Some("String" | "ID")) => out.push(path),
        "INPUT_OBJECT" => {
            for f in input_fields(ctx, t["name"].as_str().unwrap()) {
                let mut p = path.clone();
                p.push(f["name"].as_str().unwrap().to_string());
                leaves(ctx, &f["type"], p, out);
            }
        }
        _ => {}
    }
}

fn plausible_string(ctx: &Ctx, mutation: &str, field: &str) -> Value {
    json!(match field {
        "id" if mutation.contains("Network") => ctx.membership,
        "id" => ctx.waiver,
        "citation" => "DS 22-7-101",
        "reviewerId" => "rita",
        "network" => "SEATS",
        "questionId" => "leadership",
        _ => "A plain sentence.",
    })
}

/// A value for `t`; `poison` is the rest of the path to the leaf that
/// gets the NUL, if it lies under this value.
fn value(ctx: &Ctx, mutation: &str, field: &str, t: &Value, poison: Option<&[String]>) -> Value {
    match t["kind"].as_str().unwrap() {
        "NON_NULL" => value(ctx, mutation, field, &t["ofType"], poison),
        "LIST" => {
            let inner = poison.map(|p| &p[1..]);
            json!([value(ctx, mutation, field, &t["ofType"], inner)])
        }
        "SCALAR" => match t["name"].as_str().unwrap() {
            "String" | "ID" if poison == Some(&[]) => json!(ctx.poison),
            "String" | "ID" => plausible_string(ctx, mutation, field),
            "Int" => json!(if field == "score" { 50 } else { 10 }),
            "Boolean" => json!(field != "hasConflict"),
            "Float" => json!(1.5),
            "NaiveDate" => json!("2025-08-13"),
            "DateTime" => json!("2026-12-01T00:00:00Z"),
            "Cents" => json!(100_000),
            other => panic!("no plausible {other}"),
        },
        "ENUM" => {
            let name = t["name"].as_str().unwrap();
            let ty = ctx.types.iter().find(|x| x["name"] == name).unwrap();
            ty["enumValues"][0]["name"].clone()
        }
        "INPUT_OBJECT" => {
            let mut object = Map::new();
            for f in input_fields(ctx, t["name"].as_str().unwrap()) {
                let name = f["name"].as_str().unwrap();
                let under = poison.filter(|p| p.first().is_some_and(|h| h == name));
                let required = f["type"]["kind"] == "NON_NULL" && f["defaultValue"].is_null();
                if required || under.is_some() {
                    let rest = under.map(|p| &p[1..]);
                    object.insert(name.into(), value(ctx, mutation, name, &f["type"], rest));
                }
            }
            Value::Object(object)
        }
        other => panic!("no plausible {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nul_in_any_mutation_argument_is_refused_as_bad_input() {
    let app = TestApp::start(FAST_CLOCKS).await;
    let waiver = app
        .ok(
            "demo-district-applicant",
            "mutation($c: WaiverContentInput!) { openWaiverDraft(content: $c) { id } }",
            json!({ "c": { "title": "Free text", "items": [{ "citation": "DS 22-7-101", "rationale": "r", "replacementPractice": "p", "goal": "g", "measure": "m" }] } }),
        )
        .await["openWaiverDraft"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let membership = app
        .ok(
            "demo-district-rep",
            "mutation($a: NetworkApplicationInput!) { openNetworkApplication(network: \"SEATS\", application: $a) { id } }",
            json!({ "a": { "letter": "We commit.", "commitments": ["convenings"], "readiness": [{ "questionId": "leadership", "answer": "Yes." }], "studentsReached": 100 } }),
        )
        .await["openNetworkApplication"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let schema = app.ok("demo-admin", SCHEMA, json!({})).await;
    let types = schema["__schema"]["types"].as_array().unwrap().clone();
    let mutations = schema["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap()
        .clone();
    let mut tried = 0;
    let mut failures = Vec::new();
    for poison in POISONS {
        let ctx = Ctx {
            poison,
            types: &types,
            waiver: &waiver,
            membership: &membership,
        };
        for m in &mutations {
            let op = m["name"].as_str().unwrap();
            let args = m["args"].as_array().unwrap();
            let mut paths = Vec::new();
            for a in args {
                leaves(
                    &ctx,
                    &a["type"],
                    vec![a["name"].as_str().unwrap().into()],
                    &mut paths,
                );
            }
            for path in paths {
                let mut declared = Vec::new();
                let mut passed = Vec::new();
                let mut variables = Map::new();
                for a in args {
                    let name = a["name"].as_str().unwrap();
                    let under = (path[0] == name).then(|| &path[1..]);
                    let required = a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null();
                    if required || under.is_some() {
                        declared.push(format!("${name}: {}", render(&a["type"])));
                        passed.push(format!("{name}: ${name}"));
                        variables.insert(name.into(), value(&ctx, op, name, &a["type"], under));
                    }
                }
                let query = format!(
                    "mutation({}) {{ {op}({}) {{ __typename }} }}",
                    declared.join(", "),
                    passed.join(", ")
                );
                let mut codes = Vec::new();
                for token in TOKENS {
                    let body = app
                        .gql(Some(token), &query, Value::Object(variables.clone()))
                        .await;
                    let code = body["errors"][0]["extensions"]["code"]
                        .as_str()
                        .unwrap_or("ACCEPTED")
                        .to_string();
                    codes.push(code);
                }
                tried += 1;
                let refused_as_bad_input =
                    codes.iter().any(|c| c == "VALIDATION" || c == "NOT_FOUND");
                let wrong = codes.iter().any(|c| c == "ACCEPTED" || c == "UNAVAILABLE");
                if wrong || !refused_as_bad_input {
                    failures.push(format!("{poison:?} in {op} {}: {codes:?}", path.join(".")));
                }
            }
        }
    }
    assert!(tried > 80, "only {tried} string arguments tried");
    assert!(
        failures.is_empty(),
        "not refused as bad input:\n{}",
        failures.join("\n")
    );

    // Both cases still take commands.
    let edited = app
        .ok(
            "demo-district-applicant",
            "mutation($id: ID!, $c: WaiverContentInput!) { editWaiverDraft(id: $id, content: $c) { state history { command } } }",
            json!({ "id": waiver, "c": { "title": "Free text, edited", "items": [] } }),
        )
        .await;
    let commands = edited["editWaiverDraft"]["history"].as_array().unwrap();
    assert_eq!(
        commands.len(),
        2,
        "open and this edit, nothing else: {commands:?}"
    );
    let submitted = app
        .ok(
            "demo-district-rep",
            "mutation($id: ID!) { submitNetworkApplication(id: $id) { stateName } }",
            json!({ "id": membership }),
        )
        .await;
    assert_eq!(
        submitted["submitNetworkApplication"]["stateName"],
        "submitted"
    );
    let verify = app
        .ok(
            "demo-auditor",
            "{ auditVerification { intact } }",
            json!({}),
        )
        .await;
    assert_eq!(verify["auditVerification"]["intact"], true);
    app.stop().await;
}

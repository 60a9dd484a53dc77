//! Sign-in with the state's identity provider: JWTs checked against its
//! keys (ES256 generated here, RS256 from a committed test key), issuer,
//! audience and expiry, then mapped to an active Leeway user. Every way a
//! token can be wrong is refused as UNAUTHENTICATED; API tokens still work.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use leeway_api::auth;
use leeway_api::oidc::{OidcSettings, OidcVerifier, UserClaim};
use leeway_entities::user;
use leeway_tests::{add_organisation, fresh_database};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use serde_json::{Value, json};

const ISSUER: &str = "https://login.example.gov/";
const AUDIENCE: &str = "leeway";

struct Provider {
    es_key: EncodingKey,
    rs_key: EncodingKey,
    jwks: String,
}

fn provider() -> Provider {
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let point = pair.public_key().as_ref();
    let rsa: Value =
        serde_json::from_str(include_str!("../fixtures/oidc-test-rsa.jwks.json")).unwrap();
    let jwks = json!({ "keys": [
        { "kty": "EC", "crv": "P-256", "kid": "test-ec", "use": "sig",
          "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..65]) },
        rsa["keys"][0],
    ]});
    Provider {
        es_key: EncodingKey::from_ec_der(pkcs8.as_ref()),
        rs_key: EncodingKey::from_rsa_der(include_bytes!("../fixtures/oidc-test-rsa.der")),
        jwks: jwks.to_string(),
    }
}

fn verifier(p: &Provider, claim: UserClaim) -> OidcVerifier {
    let settings = OidcSettings {
        issuer: ISSUER.into(),
        audience: AUDIENCE.into(),
        jwks: "test".into(),
        user_claim: claim,
    };
    OidcVerifier::from_jwks(&settings, &p.jwks).unwrap()
}

fn claims(extra: Value) -> Value {
    let mut c = json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "ana",
        "email": "Ana.Ruiz@kde.example",
        "email_verified": true,
        "iat": Utc::now().timestamp(),
        "exp": Utc::now().timestamp() + 300,
    });
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}

fn es256(p: &Provider, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("test-ec".into());
    jsonwebtoken::encode(&header, claims, &p.es_key).unwrap()
}

fn rs256(p: &Provider, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("test-rsa".into());
    jsonwebtoken::encode(&header, claims, &p.rs_key).unwrap()
}

async fn fresh() -> (tempfile::TempDir, DatabaseConnection) {
    let (dir, db) = fresh_database().await;
    add_organisation(&db, "kde", "sea").await;
    for (id, email) in [("ana", "ana.ruiz@kde.example"), ("bo", "bo@kde.example")] {
        user::ActiveModel {
            id: Set(id.into()),
            name: Set(id.into()),
            email: Set(email.into()),
            role: Set("sea_reviewer".into()),
            organisation_id: Set("kde".into()),
            created_at: Set(Utc::now()),
            deactivated_at: Set(None),
        }
        .insert(&db)
        .await
        .unwrap();
    }
    (dir, db)
}

async fn who(db: &DatabaseConnection, oidc: &OidcVerifier, token: &str) -> Result<String, String> {
    auth::authenticate(db, Some(oidc), token, None)
        .await
        .map(|p| p.actor.user_id)
        .map_err(|e| e.code().to_string())
}

#[tokio::test]
async fn a_providers_token_signs_its_user_in() {
    let (_dir, db) = fresh().await;
    let p = provider();
    let by_email = verifier(&p, UserClaim::Email);
    assert_eq!(
        who(&db, &by_email, &es256(&p, &claims(json!({})))).await,
        Ok("ana".into())
    );
    assert_eq!(
        who(&db, &by_email, &rs256(&p, &claims(json!({})))).await,
        Ok("ana".into())
    );
    let by_sub = verifier(&p, UserClaim::Sub);
    let bo = claims(json!({ "sub": "bo", "email": "someone@else.example" }));
    assert_eq!(who(&db, &by_sub, &es256(&p, &bo)).await, Ok("bo".into()));
    // API tokens keep working beside the provider.
    let token = auth::issue_token(&db, "bo", "script", None).await.unwrap();
    assert_eq!(who(&db, &by_email, &token).await, Ok("bo".into()));
}

#[tokio::test]
async fn every_wrong_token_is_refused() {
    let (_dir, db) = fresh().await;
    let p = provider();
    let oidc = verifier(&p, UserClaim::Email);
    let past = Utc::now().timestamp() - 3_600;
    let good = es256(&p, &claims(json!({})));
    let (head, rest) = good.split_once('.').unwrap();
    let signature = rest.split_once('.').unwrap().1;
    let forged_payload = URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&claims(json!({ "email": "bo@kde.example" }))).unwrap());
    let unsigned_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(json!({}))).unwrap());
    // Signed with a key the provider does not publish.
    let other = provider();
    let cases = [
        (
            "expired",
            es256(&p, &claims(json!({ "exp": past, "iat": past - 60 }))),
        ),
        (
            "wrong audience",
            es256(&p, &claims(json!({ "aud": "someone-else" }))),
        ),
        (
            "wrong issuer",
            es256(&p, &claims(json!({ "iss": "https://evil.example/" }))),
        ),
        ("no expiry", {
            let mut c = claims(json!({}));
            c.as_object_mut().unwrap().remove("exp");
            es256(&p, &c)
        }),
        (
            "unsigned (alg none)",
            format!("{unsigned_header}.{payload}."),
        ),
        (
            "tampered payload",
            format!("{head}.{forged_payload}.{signature}"),
        ),
        ("signed by another key", es256(&other, &claims(json!({})))),
        (
            "unverified email",
            es256(&p, &claims(json!({ "email_verified": false }))),
        ),
        (
            "unknown user",
            es256(&p, &claims(json!({ "email": "nobody@kde.example" }))),
        ),
        ("garbage", "a.b.c".to_string()),
    ];
    for (what, token) in &cases {
        assert_eq!(
            who(&db, &oidc, token).await,
            Err("UNAUTHENTICATED".into()),
            "{what} was accepted"
        );
    }
    // The untampered token is fine: the refusals above are the tokens' faults.
    assert_eq!(who(&db, &oidc, &good).await, Ok("ana".into()));

    // A deactivated person's provider token no longer signs them in.
    let mut ana: user::ActiveModel = user::Entity::find_by_id("ana")
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .into();
    ana.deactivated_at = Set(Some(Utc::now()));
    ana.update(&db).await.unwrap();
    assert_eq!(who(&db, &oidc, &good).await, Err("UNAUTHENTICATED".into()));

    // Without a configured provider, a JWT is just an unknown token.
    assert_eq!(
        auth::authenticate(&db, None, &good, None)
            .await
            .err()
            .unwrap()
            .code(),
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn a_rotated_key_is_read_again_without_a_restart_but_not_on_every_made_up_key_id() {
    let (_dir, db) = fresh().await;
    let p = provider();
    let keys = tempfile::tempdir().unwrap();
    let path = keys.path().join("jwks.json");
    let all: Value = serde_json::from_str(&p.jwks).unwrap();
    let rsa_only = json!({ "keys": [all["keys"][1]] }).to_string();
    std::fs::write(&path, &rsa_only).unwrap();
    let settings = OidcSettings {
        issuer: ISSUER.into(),
        audience: AUDIENCE.into(),
        jwks: path.display().to_string(),
        user_claim: UserClaim::Email,
    };
    let token = es256(&p, &claims(json!({})));

    // The provider signs with a key it has not published yet: refused.
    let oidc = OidcVerifier::load(&settings)
        .await
        .unwrap()
        .reread_at_most_every(std::time::Duration::ZERO);
    assert_eq!(who(&db, &oidc, &token).await, Err("UNAUTHENTICATED".into()));
    // Once it publishes the key, the same running verifier accepts it.
    std::fs::write(&path, &p.jwks).unwrap();
    assert_eq!(who(&db, &oidc, &token).await, Ok("ana".into()));
    // A key set that can no longer be read (an unknown key id makes it
    // try) leaves the keys held in use.
    std::fs::write(&path, "not a key set").unwrap();
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("not-published".into());
    let unknown = jsonwebtoken::encode(&header, &claims(json!({})), &p.es_key).unwrap();
    assert_eq!(
        who(&db, &oidc, &unknown).await,
        Err("UNAUTHENTICATED".into())
    );
    assert_eq!(who(&db, &oidc, &token).await, Ok("ana".into()));
    let rs = rs256(&p, &claims(json!({})));
    assert_eq!(who(&db, &oidc, &rs).await, Ok("ana".into()));

    // With the default limit, a key set read less than a minute ago is
    // not read again for an unknown key id.
    std::fs::write(&path, &rsa_only).unwrap();
    let limited = OidcVerifier::load(&settings).await.unwrap();
    std::fs::write(&path, &p.jwks).unwrap();
    assert_eq!(
        who(&db, &limited, &token).await,
        Err("UNAUTHENTICATED".into())
    );
}

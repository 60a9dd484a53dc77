//! Sign-in with the state's identity provider: a bearer token that is a
//! JWT (an OIDC ID token or an access token) is checked against the
//! provider's published keys (a JWKS, from a file or a URL), its issuer,
//! its audience and its expiry, and then names a Leeway user by one claim
//! (their email, or the subject as their user id). API tokens stay, for
//! scripts.
//!
//! Only RS256 and ES256 are accepted, and each key only for its own
//! algorithm, so a token cannot choose a weaker check (`alg: none`, or an
//! RSA public key used as an HMAC secret).
//!
//! Providers rotate their keys: a token whose key id is not in the set
//! read makes Leeway read the set again (at most once a minute, so made-up
//! key ids cannot hammer the provider), and the set is read again when it
//! is an hour old, so a withdrawn key stops working. If reading fails, the
//! keys already held stay in use.
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How often an unknown key id may make Leeway read the key set again.
pub const REREAD_AT_MOST_EVERY: Duration = Duration::from_secs(60);
/// How old a key set may get before it is read again.
pub const KEYS_KEPT_FOR: Duration = Duration::from_secs(3600);

/// Which claim names the Leeway user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserClaim {
    /// `email`, matched to a user's email (a provider that says the email
    /// is not verified is refused).
    Email,
    /// `sub`, matched to a user's id.
    Sub,
}

impl UserClaim {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "email" => Some(Self::Email),
            "sub" => Some(Self::Sub),
            _ => None,
        }
    }
}

/// The provider as configured.
#[derive(Clone, Debug)]
pub struct OidcSettings {
    pub issuer: String,
    pub audience: String,
    /// A JWKS file's path, or an `https://` URL to fetch it from.
    pub jwks: String,
    pub user_claim: UserClaim,
}

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("cannot read the identity provider's keys from {from}: {message}")]
    Keys { from: String, message: String },
    #[error("the identity provider's key set at {0} has no RS256 or ES256 (P-256) key")]
    NoUsableKey(String),
}

struct Key {
    id: Option<String>,
    algorithm: Algorithm,
    key: DecodingKey,
}

/// The keys as last read, and when.
struct KeySet {
    keys: Arc<Vec<Key>>,
    read_at: Instant,
}

pub struct OidcVerifier {
    settings: OidcSettings,
    keys: RwLock<KeySet>,
    /// One re-read at a time; the others wait for its keys.
    rereading: tokio::sync::Mutex<()>,
    reread_at_most_every: Duration,
}

/// Why a token was refused (logged, never shown to the caller).
#[derive(Debug, PartialEq, Eq)]
pub struct TokenRefused(pub String);

impl OidcVerifier {
    /// Reads the key set from its file, or fetches it from its URL.
    pub async fn load(settings: &OidcSettings) -> Result<Self, OidcError> {
        let json = Self::read_jwks(settings).await?;
        Self::from_jwks(settings, &json)
    }

    async fn read_jwks(settings: &OidcSettings) -> Result<String, OidcError> {
        let keys_err = |message: String| OidcError::Keys {
            from: settings.jwks.clone(),
            message,
        };
        let json = if settings.jwks.starts_with("https://") || settings.jwks.starts_with("http://")
        {
            reqwest::get(&settings.jwks)
                .await
                .and_then(|r| r.error_for_status())
                .map_err(|e| keys_err(e.to_string()))?
                .text()
                .await
                .map_err(|e| keys_err(e.to_string()))?
        } else {
            std::fs::read_to_string(&settings.jwks).map_err(|e| keys_err(e.to_string()))?
        };
        Ok(json)
    }

    pub fn from_jwks(settings: &OidcSettings, json: &str) -> Result<Self, OidcError> {
        Ok(Self {
            settings: settings.clone(),
            keys: RwLock::new(KeySet {
                keys: Arc::new(Self::parse_keys(settings, json)?),
                read_at: Instant::now(),
            }),
            rereading: tokio::sync::Mutex::new(()),
            reread_at_most_every: REREAD_AT_MOST_EVERY,
        })
    }

    /// How often an unknown key id may cause a re-read (tests shorten it).
    pub fn reread_at_most_every(mut self, every: Duration) -> Self {
        self.reread_at_most_every = every;
        self
    }

    fn parse_keys(settings: &OidcSettings, json: &str) -> Result<Vec<Key>, OidcError> {
        let set: JwkSet = serde_json::from_str(json).map_err(|e| OidcError::Keys {
            from: settings.jwks.clone(),
            message: e.to_string(),
        })?;
        let keys: Vec<Key> = set
            .keys
            .iter()
            .filter_map(|jwk| {
                let algorithm = match &jwk.algorithm {
                    AlgorithmParameters::RSA(_) => Algorithm::RS256,
                    AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => {
                        Algorithm::ES256
                    }
                    _ => return None,
                };
                Some(Key {
                    id: jwk.common.key_id.clone(),
                    algorithm,
                    key: DecodingKey::from_jwk(jwk).ok()?,
                })
            })
            .collect();
        if keys.is_empty() {
            return Err(OidcError::NoUsableKey(settings.jwks.clone()));
        }
        Ok(keys)
    }

    fn current(&self) -> (Arc<Vec<Key>>, Instant) {
        match self.keys.read() {
            Ok(set) => (set.keys.clone(), set.read_at),
            Err(poisoned) => {
                let set = poisoned.into_inner();
                (set.keys.clone(), set.read_at)
            }
        }
    }

    /// Reads the key set again unless it was read within `fresh_for`
    /// (another caller may just have done so). A set that cannot be read
    /// leaves the keys held in use.
    async fn reread(&self, fresh_for: Duration) {
        let _one_at_a_time = self.rereading.lock().await;
        if self.current().1.elapsed() < fresh_for {
            return;
        }
        let read = match Self::read_jwks(&self.settings).await {
            Ok(json) => Self::parse_keys(&self.settings, &json),
            Err(e) => Err(e),
        };
        let mut set = match self.keys.write() {
            Ok(set) => set,
            Err(poisoned) => poisoned.into_inner(),
        };
        match read {
            Ok(keys) => {
                tracing::info!(from = %self.settings.jwks, keys = keys.len(), "the identity provider's keys were read again");
                set.keys = Arc::new(keys);
            }
            Err(e) => {
                tracing::warn!(error = %e, "the identity provider's keys could not be read again; the keys held stay in use")
            }
        }
        // Failed or not, the next attempt waits its turn.
        set.read_at = Instant::now();
    }

    /// A JWT has three dot-separated parts; an API token has none.
    pub fn looks_like_jwt(token: &str) -> bool {
        token.split('.').count() == 3
    }

    pub fn user_claim(&self) -> UserClaim {
        self.settings.user_claim
    }

    /// The value of the user claim of a token that passes every check.
    pub async fn verify(&self, token: &str) -> Result<String, TokenRefused> {
        let refused = |why: &str| TokenRefused(why.to_string());
        // An `alg` outside the list (`none` included) fails here.
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| TokenRefused(format!("unreadable header: {e}")))?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(refused("algorithm not accepted"));
        }
        if self.current().1.elapsed() >= KEYS_KEPT_FOR {
            self.reread(KEYS_KEPT_FOR).await;
        }
        let pick = |keys: &[Key]| -> Result<usize, TokenRefused> {
            let mut candidates = keys
                .iter()
                .enumerate()
                .filter(|(_, k)| k.algorithm == header.alg)
                .filter(|(_, k)| header.kid.is_none() || k.id == header.kid);
            match (candidates.next(), candidates.next()) {
                (Some((i, _)), None) => Ok(i),
                (None, _) => Err(refused("no key for its key id and algorithm")),
                (Some(_), Some(_)) => Err(refused("no key id, and several keys could sign it")),
            }
        };
        let (mut keys, _) = self.current();
        let index = match pick(&keys) {
            Ok(i) => i,
            // A key id not seen yet: perhaps the provider rotated its keys.
            Err(_) if header.kid.is_some() => {
                self.reread(self.reread_at_most_every).await;
                keys = self.current().0;
                pick(&keys)?
            }
            Err(e) => return Err(e),
        };
        let key = &keys[index];
        let mut validation = Validation::new(key.algorithm);
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.leeway = 60;
        let data = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(
            token,
            &key.key,
            &validation,
        )
        .map_err(|e| TokenRefused(e.to_string()))?;
        let claims = data.claims;
        let name = match self.settings.user_claim {
            UserClaim::Email => {
                if claims.get("email_verified") == Some(&serde_json::Value::Bool(false)) {
                    return Err(refused("its email is not verified"));
                }
                "email"
            }
            UserClaim::Sub => "sub",
        };
        claims
            .get(name)
            .and_then(|v| v.as_str())
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .ok_or_else(|| TokenRefused(format!("no `{name}` claim")))
    }
}

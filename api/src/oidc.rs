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
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

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

pub struct OidcVerifier {
    issuer: String,
    audience: String,
    user_claim: UserClaim,
    keys: Vec<Key>,
}

/// Why a token was refused (logged, never shown to the caller).
#[derive(Debug, PartialEq, Eq)]
pub struct TokenRefused(pub String);

impl OidcVerifier {
    /// Reads the key set from its file, or fetches it from its URL.
    pub async fn load(settings: &OidcSettings) -> Result<Self, OidcError> {
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
        Self::from_jwks(settings, &json)
    }

    pub fn from_jwks(settings: &OidcSettings, json: &str) -> Result<Self, OidcError> {
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
        Ok(Self {
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            user_claim: settings.user_claim,
            keys,
        })
    }

    /// A JWT has three dot-separated parts; an API token has none.
    pub fn looks_like_jwt(token: &str) -> bool {
        token.split('.').count() == 3
    }

    pub fn user_claim(&self) -> UserClaim {
        self.user_claim
    }

    /// The value of the user claim of a token that passes every check.
    pub fn verify(&self, token: &str) -> Result<String, TokenRefused> {
        let refused = |why: &str| TokenRefused(why.to_string());
        // An `alg` outside the list (`none` included) fails here.
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| TokenRefused(format!("unreadable header: {e}")))?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(refused("algorithm not accepted"));
        }
        let mut candidates = self
            .keys
            .iter()
            .filter(|k| k.algorithm == header.alg)
            .filter(|k| header.kid.is_none() || k.id == header.kid);
        let key = match (candidates.next(), candidates.next()) {
            (Some(k), None) => k,
            (None, _) => return Err(refused("no key for its key id and algorithm")),
            (Some(_), Some(_)) => return Err(refused("no key id, and several keys could sign it")),
        };
        let mut validation = Validation::new(key.algorithm);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.leeway = 60;
        let data = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(
            token,
            &key.key,
            &validation,
        )
        .map_err(|e| TokenRefused(e.to_string()))?;
        let claims = data.claims;
        let name = match self.user_claim {
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

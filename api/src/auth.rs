//! API tokens: random secrets handed out once, stored as SHA-256 digests,
//! presented as `Authorization: Bearer <token>`.
use crate::error::{ApiError, ApiResult};
use crate::oidc::{OidcVerifier, UserClaim};
use chrono::Utc;
use leeway_entities::{api_token, user, user_role};
use leeway_machines::domain::actor::{Actor, Role};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

/// The person behind a request.
#[derive(Clone, Debug)]
pub struct Principal {
    /// Acting in one role: the default, or the one the request named.
    pub actor: Actor,
    pub name: String,
    pub email: String,
    /// Every role the person holds, the default first.
    pub roles: Vec<Role>,
}

impl Principal {
    pub fn role(&self) -> Role {
        self.actor.role
    }

    /// District staff see their own district's cases; SEA staff see all.
    pub fn may_read_district(&self, district_id: &str) -> bool {
        self.role().reads_all_cases()
            || (self.role().is_district() && self.actor.organisation_id == district_id)
    }
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn new_token_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    format!("lw_{}", hex::encode(bytes))
}

/// Stores a token for a user; returns the secret (shown once).
pub async fn issue_token<C: ConnectionTrait>(
    db: &C,
    user_id: &str,
    label: &str,
    secret: Option<String>,
) -> ApiResult<String> {
    match user::Entity::find_by_id(user_id).one(db).await? {
        None => return Err(ApiError::NotFound(format!("There is no user `{user_id}`."))),
        Some(u) if u.deactivated_at.is_some() => {
            return Err(ApiError::Validation(format!(
                "`{user_id}` was deactivated (no longer in the state's people file); tokens are only issued to active people."
            )));
        }
        Some(_) => {}
    }
    let secret = secret.unwrap_or_else(new_token_secret);
    let hash = hash_token(&secret);
    if api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash.as_str()))
        .one(db)
        .await?
        .is_some()
    {
        return Ok(secret);
    }
    api_token::ActiveModel {
        id: Set(format!("tok-{}", &hash[..12])),
        user_id: Set(user_id.to_string()),
        token_hash: Set(hash),
        label: Set(label.to_string()),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(secret)
}

pub fn bearer(header: Option<&str>) -> Option<&str> {
    let value = header?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The request header that names the role to act in, for a person who
/// holds more than one (a reviewer who is also the fiscal officer).
pub const ACTING_ROLE_HEADER: &str = "leeway-role";

/// `UNAUTHENTICATED` for an unknown or revoked token, a JWT that fails
/// the identity provider's checks, or a person who is not (or no longer)
/// an active user; `FORBIDDEN` for an acting role (`acting`, from the
/// `Leeway-Role` header) the person does not hold; `UNAVAILABLE` when the
/// database cannot say. A JWT is only accepted when an identity provider
/// is configured (`oidc`).
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    oidc: Option<&OidcVerifier>,
    token: &str,
    acting: Option<&str>,
) -> ApiResult<Principal> {
    let found = match oidc.filter(|_| OidcVerifier::looks_like_jwt(token)) {
        Some(oidc) => {
            let value = oidc.verify(token).await.map_err(|refused| {
                tracing::info!(why = %refused.0, "an identity provider's token was refused");
                ApiError::Unauthenticated
            })?;
            match oidc.user_claim() {
                UserClaim::Email => {
                    user::Entity::find()
                        .filter(user::Column::Email.eq(value.to_ascii_lowercase()))
                        .one(db)
                        .await?
                }
                UserClaim::Sub => user::Entity::find_by_id(value.as_str()).one(db).await?,
            }
        }
        None => {
            let Some(found) = api_token::Entity::find()
                .filter(api_token::Column::TokenHash.eq(hash_token(token)))
                .filter(api_token::Column::RevokedAt.is_null())
                .one(db)
                .await?
            else {
                return Err(ApiError::Unauthenticated);
            };
            user::Entity::find_by_id(found.user_id.as_str())
                .one(db)
                .await?
        }
    };
    let u = found
        .filter(|u| u.deactivated_at.is_none())
        .ok_or(ApiError::Unauthenticated)?;
    let default = Role::parse_person_role(&u.role).ok_or_else(|| {
        ApiError::internal("read your account", format!("unknown role {}", u.role))
    })?;
    let mut roles = vec![default];
    for r in user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(u.id.as_str()))
        .all(db)
        .await?
    {
        if let Some(role) = Role::parse_person_role(&r.role).filter(|r| !roles.contains(r)) {
            roles.push(role);
        }
    }
    let role = match acting.map(str::trim).filter(|a| !a.is_empty()) {
        None => default,
        Some(named) => Role::parse_person_role(named)
            .filter(|r| roles.contains(r))
            .ok_or_else(|| {
                let held: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                ApiError::Forbidden(format!(
                    "You cannot act as `{named}`: your roles are {}. Name one of them in the Leeway-Role header, or leave it out to act as {}.",
                    held.join(", "),
                    default.as_str()
                ))
            })?,
    };
    Ok(Principal {
        actor: Actor {
            user_id: u.id,
            role,
            organisation_id: u.organisation_id,
        },
        name: u.name,
        email: u.email,
        roles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_header_parsing() {
        assert_eq!(bearer(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer(Some("bearer   abc ")), Some("abc"));
        assert_eq!(bearer(Some("Basic abc")), None);
        assert_eq!(bearer(Some("Bearer ")), None);
        assert_eq!(bearer(None), None);
        assert_ne!(new_token_secret(), new_token_secret());
        assert_eq!(hash_token("x").len(), 64);
    }
}

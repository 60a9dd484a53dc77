//! Settings from flags, environment variables and an optional TOML file
//! (in that order of precedence). A bad value stops start-up with a message
//! that names the setting.
use crate::oidc::{OidcSettings, UserClaim};
use leeway_machines::domain::state_profile::{self, StateProfile};
use leeway_workflows::email_templates::EmailTemplates;
use leeway_workflows::mailer::{MailSettings, SmtpSecurity};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Settings as given; every field optional so the sources can be merged.
#[derive(Clone, Debug, Default, Deserialize, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct SettingsArgs {
    /// Address to listen on for GraphQL.
    #[arg(long, env = "LEEWAY_LISTEN")]
    pub listen: Option<String>,
    /// Where the embedded defaults keep their files (SQLite, Temporal, outbox).
    #[arg(long, env = "LEEWAY_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL or SQLite URL; default: SQLite under the data directory.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// A running Temporal (e.g. http://temporal:7233); default: start the dev server.
    #[arg(long, env = "TEMPORAL_ADDRESS")]
    pub temporal_address: Option<String>,
    #[arg(long, env = "TEMPORAL_NAMESPACE")]
    pub temporal_namespace: Option<String>,
    #[arg(long, env = "LEEWAY_TASK_QUEUE")]
    pub task_queue: Option<String>,
    /// The `temporal` executable for the embedded dev server.
    #[arg(long, env = "LEEWAY_TEMPORAL_BIN")]
    pub temporal_bin: Option<PathBuf>,
    /// A built-in profile code (DEMO, WV, KY, TX) or a TOML file path.
    #[arg(long, env = "LEEWAY_STATE_PROFILE")]
    pub state_profile: Option<String>,
    /// SMTP relay host; without it email goes to .eml files in the data directory.
    #[arg(long, env = "LEEWAY_SMTP_HOST")]
    pub smtp_host: Option<String>,
    #[arg(long, env = "LEEWAY_SMTP_PORT")]
    pub smtp_port: Option<String>,
    /// none, starttls or tls.
    #[arg(long, env = "LEEWAY_SMTP_SECURITY")]
    pub smtp_security: Option<String>,
    #[arg(long, env = "LEEWAY_SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    #[arg(long, env = "LEEWAY_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// Sender address for notifications.
    #[arg(long, env = "LEEWAY_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// The identity provider's issuer (`iss`); with it, bearer JWTs sign people in.
    #[arg(long, env = "LEEWAY_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// The audience (`aud`) tokens must be for: Leeway's client id.
    #[arg(long, env = "LEEWAY_OIDC_AUDIENCE")]
    pub oidc_audience: Option<String>,
    /// The provider's keys: a JWKS file's path or an https:// URL.
    #[arg(long, env = "LEEWAY_OIDC_JWKS")]
    pub oidc_jwks: Option<String>,
    /// The claim naming the user: email (default) or sub (the user id).
    #[arg(long, env = "LEEWAY_OIDC_USER_CLAIM")]
    pub oidc_user_claim: Option<String>,
    /// A folder of the state's own email templates, replacing the built-in
    /// ones of the same name (see workflows/templates/email).
    #[arg(long, env = "LEEWAY_EMAIL_TEMPLATES")]
    pub email_templates: Option<PathBuf>,
    /// The state's portal, e.g. https://leeway.education.ky.gov: emails
    /// link each case as <portal>/cases/<id>.
    #[arg(long, env = "LEEWAY_PORTAL_URL")]
    pub portal_url: Option<String>,
}

#[derive(Clone, Debug)]
pub enum TemporalTarget {
    External(String),
    DevServer { bin: PathBuf },
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub temporal: TemporalTarget,
    pub namespace: String,
    pub task_queue: String,
    pub profile: StateProfile,
    pub mail: MailSettings,
    pub oidc: Option<OidcSettings>,
    /// Start the embedded dev server with its web UI (`serve --temporal-ui`).
    pub temporal_ui: bool,
    /// The state's own email templates, if any.
    pub email_templates: Option<PathBuf>,
    pub portal_url: Option<String>,
}

impl Settings {
    /// The email templates, checked: a broken one stops start-up.
    pub fn load_email_templates(
        &self,
    ) -> Result<std::sync::Arc<EmailTemplates>, leeway_workflows::email_templates::TemplateError>
    {
        EmailTemplates::load(
            self.email_templates.as_deref(),
            self.portal_url.clone(),
            &self.profile.name,
        )
        .map(std::sync::Arc::new)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct ConfigError {
    pub setting: String,
    pub message: String,
}

fn bad(setting: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        setting: setting.to_string(),
        message: message.into(),
    }
}

impl SettingsArgs {
    /// Fills unset fields from `other` (a lower-precedence source).
    fn or(self, other: SettingsArgs) -> SettingsArgs {
        SettingsArgs {
            listen: self.listen.or(other.listen),
            data_dir: self.data_dir.or(other.data_dir),
            database_url: self.database_url.or(other.database_url),
            temporal_address: self.temporal_address.or(other.temporal_address),
            temporal_namespace: self.temporal_namespace.or(other.temporal_namespace),
            task_queue: self.task_queue.or(other.task_queue),
            temporal_bin: self.temporal_bin.or(other.temporal_bin),
            state_profile: self.state_profile.or(other.state_profile),
            smtp_host: self.smtp_host.or(other.smtp_host),
            smtp_port: self.smtp_port.or(other.smtp_port),
            smtp_security: self.smtp_security.or(other.smtp_security),
            smtp_username: self.smtp_username.or(other.smtp_username),
            smtp_password: self.smtp_password.or(other.smtp_password),
            mail_from: self.mail_from.or(other.mail_from),
            oidc_issuer: self.oidc_issuer.or(other.oidc_issuer),
            oidc_audience: self.oidc_audience.or(other.oidc_audience),
            oidc_jwks: self.oidc_jwks.or(other.oidc_jwks),
            oidc_user_claim: self.oidc_user_claim.or(other.oidc_user_claim),
            email_templates: self.email_templates.or(other.email_templates),
            portal_url: self.portal_url.or(other.portal_url),
        }
    }

    pub fn resolve(self, config_file: Option<&Path>) -> Result<Settings, ConfigError> {
        let file = match config_file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    bad(
                        "--config / LEEWAY_CONFIG",
                        format!("cannot read {}: {e}", path.display()),
                    )
                })?;
                toml::from_str::<SettingsArgs>(&text)
                    .map_err(|e| bad(&format!("config file {}", path.display()), e.to_string()))?
            }
            None => SettingsArgs::default(),
        };
        let a = self.or(file);
        let listen_text = a.listen.unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            bad(
                "listen (--listen / LEEWAY_LISTEN)",
                format!("`{listen_text}` is not an address like 127.0.0.1:8080"),
            )
        })?;
        let data_dir = a.data_dir.unwrap_or_else(|| PathBuf::from("data"));
        let database_url = match a.database_url.filter(|u| !u.trim().is_empty()) {
            Some(u)
                if u.starts_with("postgres://")
                    || u.starts_with("postgresql://")
                    || u.starts_with("sqlite:") =>
            {
                u
            }
            Some(u) => {
                return Err(bad(
                    "database_url (--database-url / DATABASE_URL)",
                    format!("`{u}` is neither a postgres:// nor a sqlite: URL"),
                ));
            }
            None => leeway_entities::db::sqlite_url_in(&data_dir),
        };
        let temporal = match a.temporal_address.filter(|u| !u.trim().is_empty()) {
            Some(addr) => {
                let with_scheme = if addr.contains("://") {
                    addr
                } else {
                    format!("http://{addr}")
                };
                url::Url::parse(&with_scheme).map_err(|_| {
                    bad(
                        "temporal_address (--temporal-address / TEMPORAL_ADDRESS)",
                        format!("`{with_scheme}` is not an address like 127.0.0.1:7233"),
                    )
                })?;
                TemporalTarget::External(with_scheme)
            }
            None => TemporalTarget::DevServer {
                bin: a.temporal_bin.unwrap_or_else(|| PathBuf::from("temporal")),
            },
        };
        let profile_name = a.state_profile.unwrap_or_else(|| "DEMO".into());
        let profile = load_profile(&profile_name)
            .map_err(|e| bad("state_profile (--state-profile / LEEWAY_STATE_PROFILE)", e))?;
        let from = a
            .mail_from
            .unwrap_or_else(|| "Leeway <leeway@localhost>".into());
        if from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(bad(
                "mail_from (--mail-from / LEEWAY_MAIL_FROM)",
                format!("`{from}` is not an email address"),
            ));
        }
        let mail = match a.smtp_host.filter(|h| !h.trim().is_empty()) {
            None => MailSettings::File {
                dir: data_dir.join("outbox"),
                from,
            },
            Some(host) => {
                let security_text = a.smtp_security.unwrap_or_else(|| "starttls".into());
                let security = SmtpSecurity::parse(&security_text).ok_or_else(|| {
                    bad(
                        "smtp_security (--smtp-security / LEEWAY_SMTP_SECURITY)",
                        format!("`{security_text}` must be none, starttls or tls"),
                    )
                })?;
                let default_port = match security {
                    SmtpSecurity::None => 25,
                    SmtpSecurity::Starttls => 587,
                    SmtpSecurity::Tls => 465,
                };
                let port = match a.smtp_port {
                    None => default_port,
                    Some(p) => p.parse().map_err(|_| {
                        bad(
                            "smtp_port (--smtp-port / LEEWAY_SMTP_PORT)",
                            format!("`{p}` is not a port number"),
                        )
                    })?,
                };
                MailSettings::Smtp {
                    host,
                    port,
                    security,
                    username: a.smtp_username,
                    password: a.smtp_password,
                    from,
                }
            }
        };
        let oidc = oidc_settings(
            a.oidc_issuer,
            a.oidc_audience,
            a.oidc_jwks,
            a.oidc_user_claim,
        )?;
        let portal_url = match a.portal_url.filter(|u| !u.trim().is_empty()) {
            Some(u) => match url::Url::parse(&u) {
                Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Some(u),
                _ => {
                    return Err(bad(
                        "portal_url (--portal-url / LEEWAY_PORTAL_URL)",
                        format!("`{u}` is not an http:// or https:// address"),
                    ));
                }
            },
            None => None,
        };
        Ok(Settings {
            temporal_ui: false,
            email_templates: a.email_templates,
            portal_url,
            oidc,
            listen,
            data_dir,
            database_url,
            temporal,
            namespace: a.temporal_namespace.unwrap_or_else(|| "default".into()),
            task_queue: a.task_queue.unwrap_or_else(|| "leeway".into()),
            profile,
            mail,
        })
    }
}

/// All of issuer, audience and keys, or none (no identity provider).
fn oidc_settings(
    issuer: Option<String>,
    audience: Option<String>,
    jwks: Option<String>,
    claim: Option<String>,
) -> Result<Option<OidcSettings>, ConfigError> {
    let given = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let (issuer, audience, jwks) = (given(issuer), given(audience), given(jwks));
    if issuer.is_none() && audience.is_none() && jwks.is_none() {
        return Ok(None);
    }
    let need = |v: Option<String>, setting: &str| {
        v.ok_or_else(|| {
            bad(
                setting,
                "is needed with the other LEEWAY_OIDC_ settings (issuer, audience and keys together)",
            )
        })
    };
    let claim_text = given(claim).unwrap_or_else(|| "email".into());
    Ok(Some(OidcSettings {
        issuer: need(issuer, "oidc_issuer (--oidc-issuer / LEEWAY_OIDC_ISSUER)")?,
        audience: need(
            audience,
            "oidc_audience (--oidc-audience / LEEWAY_OIDC_AUDIENCE)",
        )?,
        jwks: need(jwks, "oidc_jwks (--oidc-jwks / LEEWAY_OIDC_JWKS)")?,
        user_claim: UserClaim::parse(&claim_text).ok_or_else(|| {
            bad(
                "oidc_user_claim (--oidc-user-claim / LEEWAY_OIDC_USER_CLAIM)",
                format!("`{claim_text}` must be email or sub"),
            )
        })?,
    }))
}

/// A built-in code (DEMO, WV, KY, TX) or a path to a TOML profile.
pub fn load_profile(name: &str) -> Result<StateProfile, String> {
    let path = Path::new(name);
    if name.ends_with(".toml") || path.exists() {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {name}: {e}"))?;
        StateProfile::from_toml(name, &text).map_err(|e| e.to_string())
    } else {
        state_profile::load_builtin(name).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identity_provider_needs_issuer_audience_and_keys_together() {
        let err = SettingsArgs {
            oidc_issuer: Some("https://login.example.gov/".into()),
            ..Default::default()
        }
        .resolve(None)
        .unwrap_err();
        assert!(err.to_string().contains("LEEWAY_OIDC_AUDIENCE"), "{err}");
        let full = |claim: Option<&str>| SettingsArgs {
            oidc_issuer: Some("https://login.example.gov/".into()),
            oidc_audience: Some("leeway".into()),
            oidc_jwks: Some("jwks.json".into()),
            oidc_user_claim: claim.map(str::to_string),
            ..Default::default()
        };
        let oidc = full(None).resolve(None).unwrap().oidc.unwrap();
        assert_eq!(oidc.user_claim, UserClaim::Email);
        let err = full(Some("upn")).resolve(None).unwrap_err();
        assert!(err.to_string().contains("LEEWAY_OIDC_USER_CLAIM"), "{err}");
        assert!(
            SettingsArgs::default()
                .resolve(None)
                .unwrap()
                .oidc
                .is_none()
        );
    }

    #[test]
    fn bad_values_name_the_setting() {
        let err = SettingsArgs {
            listen: Some("eighty".into()),
            ..Default::default()
        }
        .resolve(None)
        .unwrap_err();
        assert!(
            err.to_string().contains("LEEWAY_LISTEN") && err.to_string().contains("eighty"),
            "{err}"
        );
        let err = SettingsArgs {
            database_url: Some("mysql://x".into()),
            ..Default::default()
        }
        .resolve(None)
        .unwrap_err();
        assert!(err.to_string().contains("DATABASE_URL"), "{err}");
        let err = SettingsArgs {
            state_profile: Some("ZZ".into()),
            ..Default::default()
        }
        .resolve(None)
        .unwrap_err();
        assert!(
            err.to_string().contains("LEEWAY_STATE_PROFILE") && err.to_string().contains("ZZ"),
            "{err}"
        );
        let err = SettingsArgs {
            smtp_host: Some("mail".into()),
            smtp_security: Some("ssl3".into()),
            ..Default::default()
        }
        .resolve(None)
        .unwrap_err();
        assert!(err.to_string().contains("LEEWAY_SMTP_SECURITY"), "{err}");
    }

    #[test]
    fn defaults_are_embedded_and_flags_beat_the_file() {
        let s = SettingsArgs::default().resolve(None).unwrap();
        assert!(s.database_url.starts_with("sqlite://"));
        assert!(matches!(s.temporal, TemporalTarget::DevServer { .. }));
        assert!(matches!(s.mail, MailSettings::File { .. }));
        let dir = std::env::temp_dir().join(format!("leeway-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("leeway.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\ntask_queue = \"from-file\"\n",
        )
        .unwrap();
        let s = SettingsArgs {
            listen: Some("127.0.0.1:9100".into()),
            ..Default::default()
        }
        .resolve(Some(&file))
        .unwrap();
        assert_eq!(s.listen.port(), 9100);
        assert_eq!(s.task_queue, "from-file");
        std::fs::write(&file, "lisen = 1\n").unwrap();
        let err = SettingsArgs::default().resolve(Some(&file)).unwrap_err();
        assert!(err.to_string().contains("lisen"), "{err}");
    }
}

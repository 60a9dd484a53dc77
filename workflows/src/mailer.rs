//! Sending email with lettre: a real SMTP relay, or `.eml` files in an
//! outbox folder for the embedded default.
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "transport", rename_all = "snake_case")]
pub enum MailSettings {
    Smtp {
        host: String,
        port: u16,
        /// `none` (tests, local relays), `starttls` or `tls`.
        security: SmtpSecurity,
        username: Option<String>,
        password: Option<String>,
        from: String,
    },
    File {
        dir: PathBuf,
        from: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    None,
    Starttls,
    Tls,
}

impl SmtpSecurity {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "none" => Some(Self::None),
            "starttls" => Some(Self::Starttls),
            "tls" => Some(Self::Tls),
            _ => None,
        }
    }
}

#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address {0}: {1}")]
    Address(String, String),
    #[error("could not build the message: {0}")]
    Build(String),
    #[error("delivery failed: {0}")]
    Delivery(String),
    /// The relay refused the message for good (an unknown mailbox, say):
    /// retrying will not help.
    #[error("the relay refused it: {0}")]
    Rejected(String),
    #[error("mail settings: {0}")]
    Settings(String),
}

pub struct OutgoingEmail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    /// The plain-text part.
    pub body: &'a str,
    /// The HTML part; the message is plain text alone without one.
    pub html: Option<&'a str>,
    /// Stable per recipient and step, so a retried send is recognisable.
    pub message_id: &'a str,
    /// Sent again after an attempt whose outcome is unknown.
    pub possible_duplicate: bool,
    /// Files sent with it.
    pub attachments: &'a [Attachment],
}

/// A file attached to an email.
#[derive(Clone, Debug)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// How long one message's SMTP conversation may take, all of it (lettre's
/// own timeout covers only the connection). A delivery claim on a message
/// outlives it (see `outbox::CLAIM_LEASE`), so a send still running is
/// never taken over.
pub const SMTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(8);

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Self, MailError> {
        let (transport, from) = match settings {
            MailSettings::Smtp {
                host,
                port,
                security,
                username,
                password,
                from,
            } => {
                let builder = match security {
                    SmtpSecurity::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    }
                    SmtpSecurity::Starttls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                            .map_err(|e| MailError::Settings(e.to_string()))?
                    }
                    SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                        .map_err(|e| MailError::Settings(e.to_string()))?,
                };
                let mut builder = builder.port(*port).timeout(Some(SMTP_TIMEOUT));
                if let (Some(u), Some(p)) = (username, password) {
                    builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
                }
                (Transport::Smtp(builder.build()), from)
            }
            MailSettings::File { dir, from } => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| MailError::Settings(format!("{}: {e}", dir.display())))?;
                (
                    Transport::File(AsyncFileTransport::<Tokio1Executor>::new(dir)),
                    from,
                )
            }
        };
        let from: Mailbox = from.parse().map_err(|e: lettre::address::AddressError| {
            MailError::Address(from.clone(), e.to_string())
        })?;
        Ok(Self { transport, from })
    }

    pub async fn send(&self, email: OutgoingEmail<'_>) -> Result<(), MailError> {
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|e: lettre::address::AddressError| {
                MailError::Address(email.to.to_string(), e.to_string())
            })?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject)
            .message_id(Some(email.message_id.to_string()));
        if email.possible_duplicate {
            builder = builder.raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("X-Leeway-Possible-Duplicate"),
                "yes".into(),
            ));
        }
        let message = if email.attachments.is_empty() {
            match email.html {
                Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                    email.body.to_string(),
                    html.to_string(),
                )),
                None => builder
                    .header(ContentType::TEXT_PLAIN)
                    .body(email.body.to_string()),
            }
        } else {
            let text = match email.html {
                Some(html) => {
                    MultiPart::alternative_plain_html(email.body.to_string(), html.to_string())
                }
                None => MultiPart::mixed().singlepart(SinglePart::plain(email.body.to_string())),
            };
            let mut mixed = MultiPart::mixed().multipart(text);
            for a in email.attachments {
                let kind = ContentType::parse(&a.content_type)
                    .map_err(|e| MailError::Build(format!("{}: {e}", a.content_type)))?;
                mixed = mixed.singlepart(
                    lettre::message::Attachment::new(a.filename.clone())
                        .body(a.bytes.clone(), kind),
                );
            }
            builder.multipart(mixed)
        }
        .map_err(|e| MailError::Build(e.to_string()))?;
        match &self.transport {
            Transport::Smtp(t) => match tokio::time::timeout(SMTP_TIMEOUT, t.send(message)).await {
                Err(_) => Err(MailError::Delivery(format!(
                    "the relay did not answer within {} s",
                    SMTP_TIMEOUT.as_secs()
                ))),
                Ok(sent) => sent.map(|_| ()).map_err(|e| {
                    if e.is_permanent() {
                        MailError::Rejected(e.to_string())
                    } else {
                        MailError::Delivery(e.to_string())
                    }
                }),
            },
            Transport::File(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| MailError::Delivery(e.to_string())),
        }
    }
}

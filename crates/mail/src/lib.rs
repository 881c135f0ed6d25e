//! Baken's mailer: one plain-text message at a time, through an SMTP relay.
//!
//! Small on purpose, so any module can use it: notifications tell a user that
//! something waits for them; the marketplace will verify addresses with it.
//! It knows nothing of Baken's data — callers decide what a message may say
//! (and the notifications module says nothing personal).
//!
//! **Invariant:** off unless configured. [`SmtpSettings`] come from
//! `[smtp]` in `baken.toml`; without that section no mailer exists.
//!
//! **Invariant:** the connection is as safe as configured, never less: with
//! [`SmtpTls::StartTls`] (the default) a relay that does not offer STARTTLS,
//! or whose certificate does not check out, gets nothing — no fallback to
//! plain text. Plain text ([`SmtpTls::None`]) is for a relay on a trusted
//! network only, and has to be asked for.

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("'{0}' is not a usable e-mail address")]
    Address(String),
    #[error("the message could not be built: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("TLS to the SMTP server cannot be set up: {0}")]
    Tls(#[source] lettre::transport::smtp::Error),
    #[error("the CA certificates to trust hold no PEM certificate (-----BEGIN CERTIFICATE-----)")]
    NoCertificate,
    #[error("the SMTP server at {host}:{port} refused or could not be reached: {source}")]
    Smtp {
        host: String,
        port: u16,
        #[source]
        source: lettre::transport::smtp::Error,
    },
}

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmtpTls {
    /// Plain SMTP, then STARTTLS, which the relay must offer (port 587 or 25).
    #[default]
    StartTls,
    /// TLS from the first byte ("SMTPS", port 465).
    Implicit,
    /// Plain text: only for a relay on a trusted network (a local Postfix).
    None,
}

impl SmtpTls {
    /// The setting's name in `baken.toml`: `starttls`, `tls` or `none`.
    pub fn parse(s: &str) -> Option<SmtpTls> {
        match s {
            "starttls" => Some(SmtpTls::StartTls),
            "tls" => Some(SmtpTls::Implicit),
            "none" => Some(SmtpTls::None),
            _ => None,
        }
    }
}

/// Where and as whom to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// Extra root certificates (PEM) to trust besides the public ones, for a
    /// relay with a certificate of the municipality's own CA.
    pub ca_pem: Option<Vec<u8>>,
    /// The sender, e.g. `Baken <baken@gemeente.example>`.
    pub from: String,
    /// Login at the relay, if it asks for one.
    pub username: Option<String>,
    pub password: Option<String>,
    /// Seconds before a connection attempt or a command gives up.
    pub timeout_secs: u64,
}

/// A plain-text message to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

/// Sends mail through one SMTP relay. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    host: String,
    port: u16,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl Mailer {
    /// A mailer for the relay; nothing is contacted until [`Mailer::send`].
    pub fn new(settings: &SmtpSettings) -> Result<Mailer, MailError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|_| MailError::Address(settings.from.clone()))?;
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.as_str())
                .port(settings.port)
                .timeout(Some(Duration::from_secs(settings.timeout_secs.max(1))));
        if settings.tls != SmtpTls::None {
            let mut parameters = TlsParameters::builder(settings.host.clone());
            if let Some(pem) = &settings.ca_pem {
                if !String::from_utf8_lossy(pem).contains("-----BEGIN CERTIFICATE-----") {
                    return Err(MailError::NoCertificate);
                }
                parameters = parameters
                    .add_root_certificate(Certificate::from_pem(pem).map_err(MailError::Tls)?);
            }
            let parameters = parameters.build_rustls().map_err(MailError::Tls)?;
            builder = builder.tls(match settings.tls {
                SmtpTls::Implicit => Tls::Wrapper(parameters),
                _ => Tls::Required(parameters),
            });
        }
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
            host: settings.host.clone(),
            port: settings.port,
        })
    }

    /// Builds the message exactly as it will be sent (for tests and logs of shape).
    pub fn message(&self, mail: &Mail<'_>) -> Result<Message, MailError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|_| MailError::Address(mail.to.to_owned()))?;
        Ok(Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.to_owned())?)
    }

    /// Sends one message.
    pub async fn send(&self, mail: &Mail<'_>) -> Result<(), MailError> {
        let message = self.message(mail)?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|source| MailError::Smtp {
                host: self.host.clone(),
                port: self.port,
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".into(),
            port: 2525,
            tls: SmtpTls::None,
            ca_pem: None,
            from: "Baken <baken@proefstad.example>".into(),
            username: None,
            password: None,
            timeout_secs: 5,
        }
    }

    #[test]
    fn a_message_is_plain_text_from_the_configured_sender() {
        let mailer = Mailer::new(&settings()).unwrap();
        let message = mailer
            .message(&Mail {
                to: "an@proefstad.example",
                subject: "Er wacht iets op u in Baken",
                body: "Kijk in Baken: https://baken.example/meldingen",
            })
            .unwrap();
        let text = String::from_utf8(message.formatted()).unwrap();
        assert!(
            text.contains("From: Baken <baken@proefstad.example>"),
            "{text}"
        );
        assert!(text.contains("To: an@proefstad.example"));
        assert!(text.contains("Content-Type: text/plain; charset=utf-8"));
    }

    #[test]
    fn a_bad_address_is_refused_before_anything_is_sent() {
        let mailer = Mailer::new(&settings()).unwrap();
        let refused = mailer.message(&Mail {
            to: "niet een adres",
            subject: "x",
            body: "x",
        });
        assert!(matches!(refused, Err(MailError::Address(_))));
        let mut bad = settings();
        bad.from = "geen afzender".into();
        assert!(matches!(Mailer::new(&bad), Err(MailError::Address(_))));
    }

    #[test]
    fn the_tls_setting_reads_its_three_names_and_nothing_else() {
        assert_eq!(SmtpTls::parse("starttls"), Some(SmtpTls::StartTls));
        assert_eq!(SmtpTls::parse("tls"), Some(SmtpTls::Implicit));
        assert_eq!(SmtpTls::parse("none"), Some(SmtpTls::None));
        assert_eq!(SmtpTls::parse("ssl"), None);
        assert_eq!(SmtpTls::default(), SmtpTls::StartTls);
    }

    #[test]
    fn a_certificate_that_is_not_pem_is_refused_when_the_mailer_is_made() {
        let mut s = settings();
        s.tls = SmtpTls::StartTls;
        s.ca_pem = Some(b"not a certificate".to_vec());
        assert!(matches!(Mailer::new(&s), Err(MailError::NoCertificate)));
    }

    #[tokio::test]
    async fn an_unreachable_relay_is_an_error_naming_it() {
        // Port 9 on loopback: nothing listens (discard is not served here).
        let mut s = settings();
        s.port = 9;
        s.timeout_secs = 2;
        let mailer = Mailer::new(&s).unwrap();
        let err = mailer
            .send(&Mail {
                to: "an@proefstad.example",
                subject: "x",
                body: "x",
            })
            .await
            .unwrap_err();
        assert!(err.to_string().contains("127.0.0.1:9"), "{err}");
    }
}

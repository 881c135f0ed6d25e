//! Baken's mailer: one plain-text message at a time, through an SMTP relay.
//!
//! Small on purpose, so any module can use it: notifications tell a user that
//! something waits for them; the marketplace will verify addresses with it.
//! It knows nothing of Baken's data — callers decide what a message may say
//! (and the notifications module says nothing personal).
//!
//! **Invariant:** off unless configured. [`SmtpSettings`] come from
//! `[smtp]` in `baken.toml`; without that section no mailer exists.

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("'{0}' is not a usable e-mail address")]
    Address(String),
    #[error("the message could not be built: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("the SMTP server at {host}:{port} refused or could not be reached: {source}")]
    Smtp {
        host: String,
        port: u16,
        #[source]
        source: lettre::transport::smtp::Error,
    },
}

/// Where and as whom to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
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

//! Outgoing mail: templates, MIME, the transactional outbox and the worker that delivers it.

pub mod certificate_mails;
pub mod request_mails;
pub mod templates;
mod worker;

use std::time::{Duration, UNIX_EPOCH};

use lettre::Message;
use lettre::message::{Mailbox, MultiPart};

pub use worker::{Worker, WorkerHandle};

use crate::config::Config;
use crate::domain::Env;
use crate::store::{Conn, outbox};
use crate::{Error, Result};
use templates::Rendered;

/// Builds the complete message: UTF-8 text and HTML alternatives, Message-ID and Date.
pub fn build(config: &Config, env: &Env, to: &str, mail: &Rendered) -> Result<Vec<u8>> {
    let from: Mailbox = format!("{} <{}>", config.organisation, config.mail_from())
        .parse()
        .or_else(|_| config.mail_from().parse())
        .map_err(|e| Error::Mail(format!("sender address: {e}")))?;
    let to: Mailbox = to
        .parse()
        .map_err(|e| Error::Mail(format!("recipient address: {e}")))?;
    let host = config.public_url.host_str().unwrap_or("localhost");
    let date = UNIX_EPOCH + Duration::from_secs(u64::try_from(env.now()).unwrap_or(0));
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(format!("<{}@{host}>", env.random_hex(16))))
        .date(date)
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))
        .map_err(|e| Error::Mail(format!("cannot build the message: {e}")))?;
    Ok(message.formatted())
}

/// Renders, builds and queues a mail inside the caller's transaction. The worker sends it
/// once the transaction has committed (wake it with [`WorkerHandle::wake`]).
pub async fn queue(
    conn: &mut Conn,
    config: &Config,
    env: &Env,
    to: &str,
    mail: &Rendered,
) -> Result<i64> {
    let message = build(config, env, to, mail)?;
    outbox::enqueue(conn, &config.mail_from(), to, &message, env.now()).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ManualClock;
    use shared::api::Language;
    use std::sync::Arc;

    #[test]
    fn message_is_proper_mime() {
        let config = Config::default();
        let env = Env {
            clock: Arc::new(ManualClock::new(1_700_000_000)),
            ..Env::default()
        };
        let mail = templates::sign_in(Language::De, "Universität", "http://x/signin#t", 15);
        let bytes = build(
            &config,
            &env,
            "ä@example.org".replace('ä', "a").as_str(),
            &mail,
        )
        .unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.is_ascii(), "encoded for 7-bit transport");
        for header in [
            "Message-ID: <",
            "Date: Tue, 14 Nov 2023",
            "MIME-Version: 1.0",
            "To: a@example.org",
        ] {
            assert!(text.contains(header), "{header} in {text}");
        }
        assert!(text.contains("multipart/alternative"));
        assert!(text.contains("text/plain; charset=utf-8"));
        assert!(text.contains("text/html; charset=utf-8"));
        assert!(
            text.contains("Subject: ") && text.contains("=?utf-8?b?"),
            "non-ASCII subject is encoded: {text}"
        );
    }
}

//! E-mail and PEC through a real SMTP server: Python's aiosmtpd on 127.0.0.1, writing to a
//! Maildir that the test reads like a mailbox (`pip install aiosmtpd`; scripts/test.sh does it).

mod common;

use std::time::{Duration, Instant};

use common::smtp_server::SmtpServer;
use common::{TestServer, citizen};
use secrecy::SecretString;

#[tokio::test]
async fn with_smtp_configured_email_and_pec_carry_the_same_first_half_as_the_sms() {
    let smtp = SmtpServer::start();
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let server = TestServer::start_with(|c| c.smtp_url = Some(SecretString::from(url))).await;
    let anna = citizen("Anna", "Verdi", 14);
    server.register(&anna).await;
    let r = server.post("/api/pin-requests", &anna).await;
    assert_eq!(r.status(), 201);

    // SMS and the letter stay in the outbox; e-mail and PEC went by SMTP.
    let outbox = server.outbox(anna["codice_fiscale"].as_str().unwrap()).await;
    let mut channels: Vec<_> = outbox
        .iter()
        .map(|m| m["channel"].as_str().unwrap().to_owned())
        .collect();
    channels.sort();
    assert_eq!(channels, ["post", "sms"]);
    let sms = outbox.iter().find(|m| m["channel"] == "sms").unwrap();
    let first_half = common::pin_in(sms["body"].as_str().unwrap());

    let deadline = Instant::now() + Duration::from_secs(10);
    let mut mails = smtp.messages();
    while mails.len() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        mails = smtp.messages();
    }
    assert_eq!(mails.len(), 2, "{mails:?}");
    for address in [anna["email"].as_str().unwrap(), anna["pec"].as_str().unwrap()] {
        let mail = mails
            .iter()
            .find(|m| m.contains(&format!("To: {address}")))
            .unwrap_or_else(|| panic!("{address}"));
        assert!(mail.contains(&first_half), "{mail}");
    }
}

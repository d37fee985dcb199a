//! E-mail and PEC through a real SMTP server: Python's aiosmtpd on 127.0.0.1, writing to a
//! Maildir that the test reads like a mailbox (`pip install aiosmtpd`; scripts/test.sh does it).

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{TestServer, citizen};
use secrecy::SecretString;

/// An aiosmtpd process, killed when dropped.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl SmtpServer {
    fn start() -> SmtpServer {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let maildir = tempfile::tempdir().unwrap();
        let child = Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(maildir.path().join("mail"))
            .stdout(Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd is needed: pip install aiosmtpd (scripts/test.sh installs it)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not start: pip install aiosmtpd"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        SmtpServer { child, port, maildir }
    }

    /// Every message delivered so far, as raw text.
    fn messages(&self) -> Vec<String> {
        let dir = self.maildir.path().join("mail").join("new");
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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

//! An aiosmtpd process on 127.0.0.1 writing to a Maildir that the tests read like a mailbox
//! (`pip install aiosmtpd`; scripts/test.sh does it).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An aiosmtpd process, killed when dropped.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    maildir: tempfile::TempDir,
}

/// A free port on 127.0.0.1 (nothing listens on it once this returns).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl SmtpServer {
    /// A server on a free port.
    pub fn start() -> SmtpServer {
        Self::start_on(free_port(), tempfile::tempdir().unwrap())
    }

    /// A server on `port` writing into `maildir` (a server started again after an outage keeps
    /// its mailbox).
    pub fn start_on(port: u16, maildir: tempfile::TempDir) -> SmtpServer {
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
    pub fn messages(&self) -> Vec<String> {
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

impl SmtpServer {
    /// Stops the server and hands back its mailbox.
    pub fn stop(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let dir = tempfile::tempdir().unwrap();
        std::mem::replace(&mut self.maildir, dir)
    }

    /// The arrival time of each message (the Maildir file's modification time).
    pub fn arrivals(&self) -> Vec<std::time::SystemTime> {
        let dir = self.maildir.path().join("mail").join("new");
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().metadata().unwrap().modified().unwrap())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits until at least `n` messages have arrived (or 90 s have passed) and returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        // Generous: on a 2-core CI machine running other test binaries, a restarted server's
        // outbox retries with back-off and has taken over 30 s to deliver; a deadline is only
        // there so a real failure ends the test instead of hanging it.
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let mails = self.messages();
            if mails.len() >= n || Instant::now() > deadline {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

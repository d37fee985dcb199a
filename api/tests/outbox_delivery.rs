//! The durable outbox against a real SMTP server (aiosmtpd on 127.0.0.1): every message arrives
//! exactly once when the worker's process is killed mid-batch and started again, and when the
//! SMTP server is down for a while and comes back; the per-channel rate is held at the server;
//! and outside dev mode no PIN half is at rest in clear in the SQLite file (WAL included), while
//! the letters feed's file holds each second half once (docs/adr/0015).

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use api::store::prelude::*;
use common::smtp_server::{SmtpServer, free_port};
use common::{TestServer, citizen, pin_in, resident_row};
use secrecy::SecretString;
use serde_json::Value;

/// People for a test, distinct by birth day (`first_day`, the next ones, ...).
fn people(n: u32, first_day: u32) -> Vec<Value> {
    (0..n)
        .map(|i| citizen("Carla", &format!("Neri{}", char::from(b'a' + i as u8)), first_day + i))
        .collect()
}

/// Registers `people` in the embedded registry under `data`, as an import beside a running
/// server does.
async fn register_all(data: &Path, people: &[Value]) {
    use api::registry::RegistryWriter;
    let registry = api::registry::sqlite::SqliteRegistry::open(data).unwrap();
    let rows: Vec<_> = people
        .iter()
        .map(|p| {
            serde_json::from_value::<api::registry::RegistryRow>(resident_row(p))
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    registry.upsert(&rows).await.unwrap();
}

/// The `Message-ID` of each mail, counted.
fn message_ids(mails: &[String]) -> HashMap<String, usize> {
    let mut ids = HashMap::new();
    for mail in mails {
        let id = mail
            .lines()
            .find_map(|l| l.strip_prefix("Message-ID:").or_else(|| l.strip_prefix("Message-Id:")))
            .unwrap_or_else(|| panic!("no Message-ID in {mail}"))
            .trim()
            .to_owned();
        *ids.entry(id).or_default() += 1;
    }
    ids
}

/// The local server binary, as an operator runs it: a process that can be killed.
struct LocalProcess {
    child: Child,
    port: u16,
}

impl LocalProcess {
    fn start(data: &Path, smtp_port: u16, extra: &[(&str, &str)]) -> LocalProcess {
        let port = free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_sportello-local"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("SPORTELLO_DEV_MODE", "1")
            .env("SPORTELLO_DATA_DIR", data)
            .env("SPORTELLO_SPA_DIR", data.join("no-spa"))
            .env("SPORTELLO_ADDR", format!("127.0.0.1:{port}"))
            .env("SPORTELLO_SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}"))
            .env("SPORTELLO_SMTP_PER_SECOND", "1000")
            .env("SPORTELLO_CLIENT_RATE_PER_MINUTE", "10000")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in extra {
            command.env(k, v);
        }
        let child = command.spawn().expect("the sportello-local binary");
        let process = LocalProcess { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "sportello-local did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        process
    }

    async fn request_pins(&self, people: &[Value]) {
        let client = reqwest::Client::new();
        for person in people {
            let r = client
                .post(format!("http://127.0.0.1:{}/api/pin-requests", self.port))
                .json(person)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        }
    }

    /// Waits until the process exits on its own (an injected crash), within `limit`.
    fn wait_exit(&mut self, limit: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the injected crash did not happen");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for LocalProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// GIVEN PIN requests whose e-mail and PEC are queued while the SMTP server is down, WHEN the
/// worker's process crashes (`fault`) mid-batch and is started again, THEN every mail arrives
/// exactly once.
async fn exactly_once_across_a_crash(fault: &str, first_day: u32) {
    let data = tempfile::tempdir().unwrap();
    let smtp_port = free_port();
    let everyone = people(6, first_day);
    register_all(data.path(), &everyone).await;
    // Phase 1: requests written; their mail cannot leave (nothing listens on the SMTP port).
    let retry = [
        ("SPORTELLO_DELIVERY_RETRY_MS", "20"),
        ("SPORTELLO_DELIVERY_MAX_ATTEMPTS", "100"),
    ];
    let writer = LocalProcess::start(data.path(), smtp_port, &retry);
    writer.request_pins(&everyone).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(writer); // SIGKILL

    // Phase 2: the SMTP server is up; the worker crashes partway through the 12 mails.
    let smtp = SmtpServer::start_on(smtp_port, tempfile::tempdir().unwrap());
    let faults = [
        retry[0],
        retry[1],
        ("SPORTELLO_FAULTS", fault),
        ("SPORTELLO_DELIVERY_LEASE_SECONDS", "1"),
    ];
    let mut crashing = LocalProcess::start(data.path(), smtp_port, &faults);
    let status = crashing.wait_exit(Duration::from_secs(30));
    assert!(!status.success(), "the process aborted: {status:?}");
    let before_restart = smtp.messages().len();
    assert!(
        before_restart < 12,
        "the crash came mid-batch: {before_restart} of 12 had arrived"
    );

    // Phase 3: started again, the worker finishes the batch.
    let _again = LocalProcess::start(data.path(), smtp_port, &faults[..2]);
    let mails = smtp.wait_for(12).await;
    tokio::time::sleep(Duration::from_millis(1500)).await; // anything twice would come now
    let mails = if smtp.messages().len() > mails.len() {
        smtp.messages()
    } else {
        mails
    };
    let ids = message_ids(&mails);
    assert_eq!(mails.len(), 12, "{before_restart} before the restart; ids {ids:?}");
    assert!(ids.values().all(|&n| n == 1), "a mail arrived twice: {ids:?}");
    for person in &everyone {
        for field in ["email", "pec"] {
            let to = format!("To: {}", person[field].as_str().unwrap());
            assert_eq!(mails.iter().filter(|m| m.contains(&to)).count(), 1, "{to}");
        }
    }
    let store = api::store::sqlite::SqliteStore::open(data.path()).unwrap();
    for person in &everyone {
        let messages = store
            .messages_for(person["codice_fiscale"].as_str().unwrap(), 10)
            .await
            .unwrap();
        assert_eq!(messages.len(), 4);
        assert!(
            messages
                .iter()
                .all(|m| m.state == api::store::DeliveryState::Sent && m.sealed.is_none())
        );
    }
    println!("{fault}: {before_restart} of 12 mails before the crash, 12 after the restart, each once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mail_arrives_once_when_the_worker_crashes_right_after_recording_a_send() {
    exactly_once_across_a_crash("crash_after_sent=5", 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mail_arrives_once_when_the_worker_crashes_between_its_claim_and_the_hand_off() {
    exactly_once_across_a_crash("crash_before_send=4", 10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_queued_while_the_smtp_server_is_down_arrives_once_when_it_comes_back() {
    let smtp_port = free_port();
    let server = TestServer::start_with(|c| {
        c.smtp_url = Some(SecretString::from(format!("smtp://127.0.0.1:{smtp_port}")));
        c.delivery.retry_base = Duration::from_millis(50);
        c.delivery.max_attempts = 100;
    })
    .await;
    let everyone = people(3, 20);
    for person in &everyone {
        server.register(person).await;
        assert_eq!(server.post("/api/pin-requests", person).await.status(), 201);
    }
    // GIVEN the outage: the mail is retried, with its attempts counted, and nothing is lost.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let store = api::store::sqlite::SqliteStore::open(server.data_dir()).unwrap();
    let cf = everyone[0]["codice_fiscale"].as_str().unwrap();
    let waiting: Vec<_> = store
        .messages_for(cf, 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.channel == api::store::Channel::Email)
        .collect();
    assert_eq!(waiting[0].state, api::store::DeliveryState::Retrying, "{waiting:?}");
    assert!(waiting[0].attempts >= 2, "{waiting:?}");
    assert!(waiting[0].last_error.is_some());

    // WHEN the server comes back, THEN each mail arrives, once.
    let smtp = SmtpServer::start_on(smtp_port, tempfile::tempdir().unwrap());
    for person in &everyone {
        server.settled(person["codice_fiscale"].as_str().unwrap()).await;
    }
    let mails = smtp.messages();
    let ids = message_ids(&mails);
    assert_eq!(mails.len(), 6, "{ids:?}");
    assert!(ids.values().all(|&n| n == 1), "{ids:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_smtp_lane_holds_its_rate_at_the_server() {
    let smtp = SmtpServer::start();
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let per_second = 4;
    let server = TestServer::start_with(|c| {
        c.smtp_url = Some(SecretString::from(url));
        c.delivery.smtp_per_second = per_second;
    })
    .await;
    let everyone = people(6, 24);
    for person in &everyone {
        server.register(person).await;
        assert_eq!(server.post("/api/pin-requests", person).await.status(), 201);
    }
    let mails = smtp.wait_for(12).await;
    assert_eq!(mails.len(), 12);
    let mut arrivals = smtp.arrivals();
    arrivals.sort();
    let start = arrivals[0];
    let offsets: Vec<u128> = arrivals
        .iter()
        .map(|t| t.duration_since(start).unwrap().as_millis())
        .collect();
    let mut per_window = HashMap::<u128, usize>::new();
    for offset in &offsets {
        *per_window.entry(offset / 1000).or_default() += 1;
    }
    println!("mail arrivals (ms after the first): {offsets:?}; per second: {per_window:?}");
    // Any `per_second + 1` consecutive arrivals span at least a second (less a little for the
    // file system's timestamps): never more than `per_second` in any one-second window.
    for window in offsets.windows(per_second as usize + 1) {
        assert!(window[per_second as usize] - window[0] >= 950, "{offsets:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_dev_mode_no_pin_half_is_at_rest_in_clear_and_the_letters_file_holds_each_second_half_once() {
    let smtp = SmtpServer::start();
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let letters = tempfile::tempdir().unwrap();
    let letters_dir = letters.path().to_path_buf();
    let server = TestServer::start_with(|c| {
        c.dev_mode = false;
        c.pin_key_hex = Some(SecretString::from("ab".repeat(32)));
        c.smtp_url = Some(SecretString::from(url));
        c.delivery.letters_dir = Some(letters_dir);
    })
    .await;
    let everyone = people(4, 3);
    for person in &everyone {
        server.register(person).await;
        assert_eq!(server.post("/api/pin-requests", person).await.status(), 201);
    }
    // No SMS carrier outside dev mode here: the SMS wait, sealed. Mail and letters go.
    let mails = smtp.wait_for(8).await;
    assert_eq!(mails.len(), 8);
    let deadline = Instant::now() + Duration::from_secs(20);
    let letter_files = loop {
        let files: Vec<_> = std::fs::read_dir(letters.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "csv"))
            .collect();
        let rows: usize = files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap().lines().count() - 1)
            .sum();
        if rows >= 4 || Instant::now() > deadline {
            break files;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let csv: String = letter_files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let mut halves = Vec::new();
    for person in &everyone {
        let cf = person["codice_fiscale"].as_str().unwrap();
        let to = format!("To: {}", person["email"].as_str().unwrap());
        let mail = mails.iter().find(|m| m.contains(&to)).unwrap();
        let first = pin_in(mail);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let rows: Vec<csv::StringRecord> = reader
            .records()
            .map(Result::unwrap)
            .filter(|r| r.iter().any(|f| f == cf))
            .collect();
        assert_eq!(rows.len(), 1, "one letter for {cf}");
        let headers = csv::Reader::from_reader(csv.as_bytes()).headers().unwrap().clone();
        let second = rows[0][headers.iter().position(|h| h == "pin_second_half").unwrap()].to_owned();
        assert_eq!(
            csv.matches(second.as_str()).count(),
            2,
            "the half and the text that carries it, once each"
        );
        // The halves are a working PIN: the mail and the letter together log in.
        let (r, _) = server.login(cf, &format!("{first}{second}")).await;
        assert_eq!(r.status(), 200);
        halves.push(first);
        halves.push(second);
    }
    // The whole database as on disk (main file, WAL, shared memory): no half in clear.
    let mut disk = Vec::new();
    for entry in std::fs::read_dir(server.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("sportello.sqlite3")
        {
            disk.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(disk.len() > 4096);
    let disk = String::from_utf8_lossy(&disk);
    for half in &halves {
        assert!(
            !disk.contains(half.as_str()),
            "a PIN half is in the SQLite files in clear"
        );
    }
    println!(
        "scanned {} bytes of SQLite (main, WAL, shm) for {} PIN halves: none found",
        disk.len(),
        halves.len()
    );
}

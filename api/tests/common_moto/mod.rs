//! A moto DynamoDB server on 127.0.0.1 for the store tests: started once per test binary on a free
//! port, gone when the binary exits, and a fresh table for each test case.
//!
//! Needs PyPI `moto[server]` 5.2.x (`scripts/lib.sh` installs it into `target/pytools` in
//! `ensure_test_tools`).
#![allow(dead_code)] // each test binary uses its own subset

pub mod fault_proxy;

use std::io::{BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use api::store::dynamodb::{self, DynamoDbStore};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};

/// Runs moto's own WSGI app with one request at a time. moto (5.2) reads an item, evaluates the
/// ConditionExpression and writes without a lock, so under its usual threaded server two
/// conditional writes on one item could in principle both pass (not seen in practice, the window
/// is small under the GIL). DynamoDB serialises writes to an item, and the contract's "many
/// writers, one winner" cases must fail only when the store is wrong, never by chance.
/// The OS chooses the port, which is printed; the server exits when its standard input closes,
/// that is when the test binary ends, however it ends.
const LAUNCHER: &str = r#"
import logging, os, sys, threading
from werkzeug.serving import make_server
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
logging.getLogger("werkzeug").setLevel(logging.ERROR)
server = make_server("127.0.0.1", 0, DomainDispatcherApplication(create_backend_app), threaded=False)
print(server.server_port, flush=True)
sys.stdout = open(os.devnull, "w")
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
os._exit(0)
"#;

/// The running server.
pub struct MotoServer {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// Holds the server's standard input open: dropping it (or the process ending) stops it.
    child: Child,
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl MotoServer {
    fn start() -> MotoServer {
        let python = python();
        let mut log = tempfile::tempfile().expect("a temporary file for moto's log");
        let mut child = Command::new(&python)
            .args(["-c", LAUNCHER])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log.try_clone().expect("a second handle on moto's log"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let port = rx
            .recv_timeout(Duration::from_secs(60))
            .ok()
            .and_then(|line| line.trim().parse::<u16>().ok());
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            let mut text = String::new();
            let _ = log.rewind();
            let _ = log.read_to_string(&mut text);
            panic!(
                "moto server did not start with {}; is `moto[server]` 5.2.x installed (scripts/lib.sh, \
                 ensure_test_tools)?\n{text}",
                python.display()
            );
        };
        MotoServer {
            endpoint: format!("http://127.0.0.1:{port}"),
            child,
        }
    }
}

/// The project's Python tools environment when `scripts/lib.sh` made one (so that a plain
/// `cargo test` finds moto too), else `python3` from PATH.
fn python() -> PathBuf {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/pytools/bin/python3");
    if venv.is_file() { venv } else { PathBuf::from("python3") }
}

/// The one server of this test binary, started on first use.
pub fn server() -> &'static MotoServer {
    static SERVER: OnceLock<MotoServer> = OnceLock::new();
    SERVER.get_or_init(MotoServer::start)
}

/// A client for `endpoint` with dummy credentials, built explicitly: nothing is read from (or
/// written to) the environment. Build one per test: a client belongs to the runtime it first
/// ran on, and each `#[tokio::test]` has its own.
pub fn client(endpoint: &str) -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-south-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
        .http_client(dynamodb::http_client())
        .build();
    Client::from_conf(config)
}

/// A table name no other test in this run uses.
pub fn unique_table_name(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A store on a new, empty table of the shared server.
pub async fn fresh_store() -> DynamoDbStore {
    let client = client(&server().endpoint);
    let table = unique_table_name("sportello-test");
    dynamodb::create_table(&client, &table)
        .await
        .unwrap_or_else(|e| panic!("cannot create table {table}: {e}"));
    DynamoDbStore::new(client, table)
}

/// An SNS client for `endpoint`, built like [`client`].
pub fn sns_client(endpoint: &str) -> aws_sdk_sns::Client {
    let config = aws_sdk_sns::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-south-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
        .http_client(dynamodb::http_client())
        .build();
    aws_sdk_sns::Client::from_conf(config)
}

/// The texts of the SMS moto's SNS has "sent" to `phone_number` (E.164), oldest first, read from
/// moto's own record of its state (`/moto-api/data.json`, where SNS keeps every SMS it accepted).
pub async fn sms_sent_to(endpoint: &str, phone_number: &str) -> Vec<String> {
    let data: serde_json::Value = reqwest::get(format!("{endpoint}/moto-api/data.json"))
        .await
        .and_then(|r| r.error_for_status())
        .expect("moto's state")
        .json()
        .await
        .expect("moto's state is JSON");
    data["sns"]["SMS"]
        .as_array()
        .map(|sms| {
            sms.iter()
                .filter(|m| m["phone_number"] == phone_number)
                .map(|m| m["message"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A Secrets Manager client for `endpoint`, built like [`client`].
pub fn secrets_client(endpoint: &str) -> aws_sdk_secretsmanager::Client {
    let config = aws_sdk_secretsmanager::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-south-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
        .http_client(dynamodb::http_client())
        .build();
    aws_sdk_secretsmanager::Client::from_conf(config)
}

/// A new secret named after `name` (made unique) holding `value` in the shared server; its ARN.
pub async fn secret(name: &str, value: &str) -> String {
    let out = secrets_client(&server().endpoint)
        .create_secret()
        .name(unique_table_name(name))
        .secret_string(value)
        .send()
        .await
        .expect("moto creates the secret");
    out.arn().unwrap().to_owned()
}

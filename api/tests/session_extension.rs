//! A session's idle expiry moves on with use, but is written at most once a minute: every
//! authenticated request used to write it (docs/adr/0020).

mod common;

use api::store::Realm;
use api::store::prelude::*;
use chrono::{DateTime, Duration, Utc};
use common::TestServer;

/// The citizen's session as stored now: (created at, idle expiry).
async fn stored(server: &TestServer, cookie: &str) -> (DateTime<Utc>, DateTime<Utc>) {
    let token = cookie.split_once('=').expect("name=value").1;
    let store = api::store::sqlite::SqliteStore::open(server.data_dir()).unwrap();
    let session = store
        .session(Realm::Citizen, &api::secrets::session_token_hash(token))
        .await
        .unwrap()
        .and_then(api::store::Session::into_citizen)
        .expect("the session is stored");
    (session.created_at, session.expires_at)
}

#[tokio::test]
async fn a_request_within_a_minute_of_the_last_extension_writes_nothing_and_one_after_a_minute_does() {
    // GIVEN a citizen who just logged in (the login stored expiry = login + idle)
    let server = TestServer::start().await;
    let citizen = common::citizen("Maria", "Rossi", 3);
    let cf = citizen["codice_fiscale"].as_str().unwrap().to_owned();
    let (first_half, _) = server.request_pin(&citizen).await;
    let (login, cookie) = server.login(&cf, &first_half).await;
    assert_eq!(login.status(), 200);
    let cookie = cookie.expect("a session cookie");
    let (logged_in_at, at_login) = stored(&server, &cookie).await;
    let idle = api::Config::for_tests(server.data_dir().to_path_buf()).session_idle;

    // WHEN she opens her application 30 s later
    server.set_clock(logged_in_at + Duration::seconds(30)).await;
    assert_eq!(server.get_as("/api/application", &cookie).await.status(), 200);
    // THEN the stored expiry is the login's: nothing was written
    assert_eq!(stored(&server, &cookie).await.1, at_login);

    // WHEN she opens it again 61 s after the login
    let later = logged_in_at + Duration::seconds(61);
    server.set_clock(later).await;
    assert_eq!(server.get_as("/api/application", &cookie).await.status(), 200);
    // THEN the expiry moved to that request's time plus the idle timeout
    let extended = stored(&server, &cookie).await.1;
    assert!(
        extended >= later + idle && extended < later + idle + Duration::seconds(5),
        "{extended} vs {}",
        later + idle
    );
}

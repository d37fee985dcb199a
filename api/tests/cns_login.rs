//! CNS login with a TLS client certificate, against certificates made here with rcgen: the check
//! shared by the local TLS listener and API Gateway's mutual TLS (`verify_cns_certificate`), and the
//! whole flow over HTTPS on 127.0.0.1: a valid CNS opens a full session in the browser that started
//! the login, and in no other; an expired one, one from another authority, one without the CNS
//! policy and one with a malformed subject are refused with their reasons; the card's host serves
//! the card step only.

use api::Config;
use api::cns::{CnsRefusal, verify_cns_certificate};
use chrono::Utc;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, CustomExtension, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use reqwest::redirect::Policy;
use serde_json::Value;

const CF: &str = "RSSMRA85T10A562S";

/// DER of CertificatePolicies { PolicyInformation { policyIdentifier } } for one OID given as
/// its encoded bytes.
fn policies(oid: &[u8]) -> CustomExtension {
    let info = [&[0x06, oid.len() as u8][..], oid].concat();
    let info = [&[0x30, info.len() as u8][..], &info].concat();
    let all = [&[0x30, info.len() as u8][..], &info].concat();
    CustomExtension::from_oid_content(&[2, 5, 29, 32], all)
}

/// 1.3.76.16.2.1, the CNS policy.
const CNS_POLICY: &[u8] = &[0x2B, 0x4C, 0x10, 0x02, 0x01];
/// 1.3.76.16.6, some other policy (AgID's SPID one).
const OTHER_POLICY: &[u8] = &[0x2B, 0x4C, 0x10, 0x06];

struct Authority(CertifiedIssuer<'static, KeyPair>);

impl Authority {
    fn new(name: &str) -> Authority {
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        Authority(CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap())
    }

    fn der(&self) -> Vec<u8> {
        self.0.der().to_vec()
    }

    /// A card certificate: its PEM, and its key's PEM.
    fn card(&self, common_name: &str, policy: &[u8], expired: bool) -> (String, String) {
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, common_name);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.custom_extensions = vec![policies(policy)];
        let year = if expired { 2020 } else { 2024 };
        params.not_before = rcgen::date_time_ymd(year, 1, 1);
        params.not_after = rcgen::date_time_ymd(if expired { 2021 } else { 2099 }, 1, 1);
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.0).unwrap();
        (cert.pem(), key.serialize_pem())
    }
}

fn cn(cf: &str) -> String {
    format!("{cf}/7420091000049623.FmN6aCXvxGBXzpP3e4hpwBKwHH4=")
}

#[test]
fn a_valid_cns_gives_its_codice_fiscale_and_each_fault_has_its_reason() {
    let ca = Authority::new("CNS test authority");
    let roots = [ca.der()];
    let now = Utc::now();
    let check = |pem: &str| verify_cns_certificate(pem.as_bytes(), &roots, now);

    let (valid, _) = ca.card(&cn(CF), CNS_POLICY, false);
    assert_eq!(check(&valid).unwrap().as_str(), CF);

    let (expired, _) = ca.card(&cn(CF), CNS_POLICY, true);
    assert_eq!(check(&expired).unwrap_err(), CnsRefusal::Expired);

    let (other_ca, _) = Authority::new("Somebody else").card(&cn(CF), CNS_POLICY, false);
    assert!(matches!(check(&other_ca).unwrap_err(), CnsRefusal::Untrusted(_)));

    let (wrong_policy, _) = ca.card(&cn(CF), OTHER_POLICY, false);
    assert_eq!(check(&wrong_policy).unwrap_err(), CnsRefusal::Policy);

    for bad_cn in [
        CF.to_owned(),
        format!("{CF}/123"),
        cn("RSSMRA85T10A562X"),
        "Mario Rossi".to_owned(),
    ] {
        let (malformed, _) = ca.card(&bad_cn, CNS_POLICY, false);
        let refusal = check(&malformed).unwrap_err();
        assert!(matches!(refusal, CnsRefusal::Subject(_)), "{bad_cn}: {refusal:?}");
        assert_eq!(refusal.code().as_str(), "auth.identity_invalid");
    }

    // DER works too (API Gateway may hand either), and garbage is refused, not a panic.
    let der = x509_der(&valid);
    assert_eq!(verify_cns_certificate(&der, &roots, now).unwrap().as_str(), CF);
    assert!(matches!(
        verify_cns_certificate(b"not a certificate", &roots, now),
        Err(CnsRefusal::Untrusted(_))
    ));
}

fn x509_der(pem: &str) -> Vec<u8> {
    use base64::Engine;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).unwrap()
}

/// The API on plain HTTP and the CNS login on HTTPS, sharing one state.
struct Servers {
    api: String,
    cns: String,
    server_ca_pem: String,
    _data: tempfile::TempDir,
}

async fn start(ca: &Authority) -> Servers {
    start_with(ca, |_| {}).await
}

/// [`start`] with a configuration that `adjust` may change first.
async fn start_with(ca: &Authority, adjust: impl FnOnce(&mut Config)) -> Servers {
    let data = tempfile::tempdir().unwrap();
    // GIVEN the CNS listener's own certificate, for 127.0.0.1
    let server_key = KeyPair::generate().unwrap();
    let server_cert = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .self_signed(&server_key)
        .unwrap();
    let (cert_file, key_file) = (data.path().join("tls.pem"), data.path().join("tls-key.pem"));
    std::fs::write(&cert_file, server_cert.pem()).unwrap();
    std::fs::write(&key_file, server_key.serialize_pem()).unwrap();

    let api_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let cns_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = format!("http://{}", api_listener.local_addr().unwrap());
    let cns = format!("https://{}", cns_listener.local_addr().unwrap());
    let mut config = Config::for_tests(data.path().to_path_buf());
    config.oidc.public_url = api.clone();
    config.cns.addr = Some(cns_listener.local_addr().unwrap());
    config.cns.ca_certificates = vec![ca.der()];
    config.cns.tls_cert_file = Some(cert_file);
    config.cns.tls_key_file = Some(key_file);
    adjust(&mut config);
    let cns_config = config.cns.clone();
    let (state, _) = api::server::local_state(config).unwrap();
    tokio::spawn(api::server::serve(api_listener, state.clone()));
    let tls = api::cns::tls_listener(cns_listener, &cns_config).unwrap();
    tokio::spawn(api::server::serve_cns(tls, state));
    Servers {
        api,
        cns,
        server_ca_pem: server_cert.pem(),
        _data: data,
    }
}

/// A browser holding `card` (certificate and key PEM), if any.
fn browser(servers: &Servers, card: Option<&(String, String)>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .redirect(Policy::none())
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(servers.server_ca_pem.as_bytes()).unwrap());
    if let Some((cert, key)) = card {
        builder = builder.identity(reqwest::Identity::from_pem(format!("{cert}{key}").as_bytes()).unwrap());
    }
    builder.build().unwrap()
}

/// The login page's CNS link, followed by a browser: the binding cookie it got (`name=value`) and
/// the card step's address on the card's host.
async fn start_login(servers: &Servers) -> (String, String) {
    let r = browser(servers, None)
        .get(format!("{}/api/auth/cns/start", servers.api))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let set_cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set_cookie.contains("; Path=/api/auth/cns; HttpOnly; SameSite=Lax; Max-Age=300"),
        "{set_cookie}"
    );
    let card_step = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        card_step.starts_with(&format!("{}/api/auth/cns?legame=", servers.cns)),
        "{card_step}"
    );
    (set_cookie.split(';').next().unwrap().to_owned(), card_step)
}

/// The card step with `card`: the handoff address the card's host sends the browser to.
async fn card_step(servers: &Servers, address: &str, card: &(String, String)) -> String {
    let r = browser(servers, Some(card)).get(address).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers().get("set-cookie").is_none());
    r.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_valid_cns_opens_a_full_session_over_https() {
    let ca = Authority::new("CNS test authority");
    let servers = start(&ca).await;
    let card = ca.card(&cn(CF), CNS_POLICY, false);
    // The login page links to the start on the service's host, not straight to the card's host.
    let providers: Value = reqwest::Client::new()
        .get(format!("{}/api/auth/providers", servers.api))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(providers["cns"], "/api/auth/cns/start");
    // GIVEN the login started from the service's page, in this browser
    let (binding, address) = start_login(&servers).await;

    let r = browser(&servers, Some(&card)).get(&address).send().await.unwrap();
    // THEN the card's host sets no cookie (the service's host would never see it) but hands the
    // login over to the service's host, once
    assert_eq!(r.status(), 303);
    assert!(r.headers().get("set-cookie").is_none());
    let handoff = r.headers()["location"].to_str().unwrap().to_owned();
    let prefix = format!("{}/api/auth/cns/complete?passaggio=", servers.api);
    assert!(handoff.starts_with(&prefix), "{handoff}");
    let token = handoff[prefix.len()..].to_owned();

    // A handoff's token is not a session.
    let as_cookie = reqwest::Client::new()
        .get(format!("{}/api/session", servers.api))
        .header("cookie", format!("sportello_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(as_cookie.status(), 401);

    let plain = browser(&servers, None);
    let r = plain.get(&handoff).header("cookie", &binding).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("{}/domanda", servers.api));
    let set_cookies: Vec<&str> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let cookie = set_cookies[0].split(';').next().unwrap().to_owned();
    assert!(cookie.starts_with("sportello_session="));
    assert_ne!(cookie, format!("sportello_session={token}"));
    // (the binding is spent: its cookie is cleared)
    assert!(
        set_cookies[1].starts_with("sportello_cns=;") && set_cookies[1].contains("Max-Age=0"),
        "{set_cookies:?}"
    );

    // A second redemption (a replayed address) opens nothing.
    let replay = plain.get(&handoff).header("cookie", &binding).send().await.unwrap();
    assert_eq!(
        replay.headers()["location"],
        format!("{}/accedi?errore=auth.flow_invalid", servers.api)
    );
    let set_cookie = replay
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned());
    assert!(
        !format!("{set_cookie:?}").contains("sportello_session"),
        "{set_cookie:?}"
    );

    let session: Value = reqwest::Client::new()
        .get(format!("{}/api/session", servers.api))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(session["scope"], "full");
    assert_eq!(session["method"], "cns");
    assert_eq!(session["codice_fiscale"], CF);
}

#[tokio::test]
async fn a_handoff_redeemed_late_or_made_up_opens_nothing() {
    let ca = Authority::new("CNS test authority");
    let servers = start(&ca).await;
    let card = ca.card(&cn(CF), CNS_POLICY, false);
    let (binding, address) = start_login(&servers).await;
    let handoff = card_step(&servers, &address, &card).await;

    // GIVEN a handoff whose minute has passed on the server's clock
    let later = (Utc::now() + chrono::Duration::seconds(61)).to_rfc3339();
    let set = reqwest::Client::new()
        .put(format!("{}/api/dev/clock", servers.api))
        .json(&serde_json::json!({ "now": later }))
        .send()
        .await
        .unwrap();
    assert!(set.status().is_success());

    let plain = browser(&servers, None);
    let refused = format!("{}/accedi?errore=auth.flow_invalid", servers.api);
    for address in [
        handoff,
        format!("{}/api/auth/cns/complete?passaggio=00", servers.api),
        format!("{}/api/auth/cns/complete", servers.api),
    ] {
        let r = plain.get(&address).header("cookie", &binding).send().await.unwrap();
        assert_eq!(r.status(), 303, "{address}");
        assert_eq!(r.headers()["location"], refused, "{address}");
        let set_cookie = r.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_owned());
        assert!(!format!("{set_cookie:?}").contains("sportello_session"), "{address}");
    }
}

#[tokio::test]
async fn a_handoff_opened_in_another_browser_is_refused_and_stays_unusable() {
    let ca = Authority::new("CNS test authority");
    let servers = start(&ca).await;
    // GIVEN an attacker who started a CNS login in their own browser and used their own card
    let attacker_card = ca.card(&cn(CF), CNS_POLICY, false);
    let (attacker_binding, address) = start_login(&servers).await;
    let handoff = card_step(&servers, &address, &attacker_card).await;

    // WHEN the victim's browser, with no CNS login of its own, opens the handoff link; and when
    // another of the attacker's links is opened by a browser that started a CNS login of its own
    let (victim_binding, _) = start_login(&servers).await;
    let (_, second_address) = start_login(&servers).await;
    let second_handoff = card_step(&servers, &second_address, &attacker_card).await;
    let refused = format!("{}/accedi?errore=auth.cns_other_browser", servers.api);
    for (link, cookie) in [(&handoff, None), (&second_handoff, Some(victim_binding.as_str()))] {
        let mut request = browser(&servers, None).get(link);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let r = request.send().await.unwrap();
        // THEN no session is opened, and the page says why
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], refused, "{cookie:?}");
        let set_cookies: Vec<&str> = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert!(
            set_cookies.iter().all(|c| !c.starts_with("sportello_session")),
            "{set_cookies:?}"
        );
    }
    // AND the link, once refused, opens nothing even in the browser that started it
    let r = browser(&servers, None)
        .get(&handoff)
        .header("cookie", &attacker_binding)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"],
        format!("{}/accedi?errore=auth.flow_invalid", servers.api)
    );

    // AND the Italian and English messages say what happened and what to do
    let it = domain::ErrorCode::AuthCnsOtherBrowser.message(domain::Lang::It);
    let en = domain::ErrorCode::AuthCnsOtherBrowser.message(domain::Lang::En);
    assert!(
        it.contains("browser diverso") && en.contains("different browser"),
        "{it} / {en}"
    );
}

#[tokio::test]
async fn the_cards_host_serves_the_card_step_only_and_only_after_the_services_start() {
    let ca = Authority::new("CNS test authority");
    let servers = start(&ca).await;
    let card = ca.card(&cn(CF), CNS_POLICY, false);
    let with_card = browser(&servers, Some(&card));
    // The service's routes are not on the card's host, not even the CNS ones.
    for path in [
        "/api/health",
        "/api/auth/cns/start",
        "/api/auth/cns/complete?passaggio=00",
        "/api/session",
        "/api/dev/outbox",
    ] {
        let r = with_card.get(format!("{}{path}", servers.cns)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
    // A card step that the service's host did not start (a bookmark) goes back to the login page.
    for path in ["/api/auth/cns", "/api/auth/cns?legame=not-a-binding"] {
        let r = with_card.get(format!("{}{path}", servers.cns)).send().await.unwrap();
        assert_eq!(r.status(), 303, "{path}");
        assert_eq!(
            r.headers()["location"],
            format!("{}/accedi?errore=auth.flow_invalid", servers.api),
            "{path}"
        );
    }
}

#[tokio::test]
async fn faulty_cards_and_no_card_are_sent_back_to_the_login_page_with_their_reason() {
    let ca = Authority::new("CNS test authority");
    let servers = start(&ca).await;
    let cases = [
        (Some(ca.card(&cn(CF), CNS_POLICY, true)), "auth.certificate_expired"),
        (
            Some(Authority::new("Somebody else").card(&cn(CF), CNS_POLICY, false)),
            "auth.certificate_invalid",
        ),
        (Some(ca.card(&cn(CF), OTHER_POLICY, false)), "auth.certificate_policy"),
        (Some(ca.card("Mario Rossi", CNS_POLICY, false)), "auth.identity_invalid"),
        (None, "auth.certificate_missing"),
    ];
    for (card, code) in cases {
        let (_, address) = start_login(&servers).await;
        let r = browser(&servers, card.as_ref()).get(&address).send().await.unwrap();
        assert_eq!(r.status(), 303, "{code}");
        assert_eq!(r.headers()["location"], format!("{}/accedi?errore={code}", servers.api));
        assert!(r.headers().get("set-cookie").is_none(), "{code}");
    }
    // On the plain-HTTP API there is no certificate to read: never a session.
    let (_, address) = start_login(&servers).await;
    let r = browser(&servers, None)
        .get(address.replace(&servers.cns, &servers.api))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"],
        format!("{}/accedi?errore=auth.certificate_missing", servers.api)
    );
}

#[tokio::test]
async fn the_cards_host_limits_each_connection_address_whatever_x_forwarded_for_says() {
    // GIVEN 3 attempts a minute per client
    let ca = Authority::new("CNS test authority");
    let servers = start_with(&ca, |c| c.client_rate_per_minute = 3).await;
    let card = ca.card(&cn(CF), CNS_POLICY, false);
    let (_, address) = start_login(&servers).await;
    // WHEN one browser sends the card step four times, claiming another address each time
    let with_card = browser(&servers, Some(&card));
    let mut statuses = Vec::new();
    for forged in 1..=4 {
        let r = with_card
            .get(&address)
            .header("x-forwarded-for", format!("10.0.0.{forged}"))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    // THEN the fourth is refused: the limit counts the connection's address
    assert_eq!(statuses, [303, 303, 303, 429]);
}

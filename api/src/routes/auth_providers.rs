//! The ways in besides the PIN, public and the same for everyone: `GET /api/auth/providers` lists
//! the SPID and CIE providers and the CNS login (JSON, for programs); `GET /api/auth/login-options`
//! renders them as the HTML fragment the login page places under the PIN form, in the request's
//! language, SPID providers in random order as AgID's button lists them. Rendering it here keeps
//! the SPA within its first-load budget; every value in it is escaped.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use domain::Lang;
use domain::html::escape;
use domain::wire::auth::{Provider, Providers};

use crate::AppState;
use crate::oidc::{ListedProvider, ProviderKind};
use crate::secrets::random_bytes;

#[utoipa::path(
    get,
    path = "/api/auth/providers",
    tag = "auth",
    responses((status = 200, description = "The SPID and CIE providers and the CNS start", body = Providers))
)]
async fn list(State(state): State<AppState>) -> impl IntoResponse {
    let providers = state
        .oidc
        .listed(state.clock.now())
        .await
        .into_iter()
        .map(|p| Provider {
            id: p.id.clone(),
            label: p.label.clone(),
            kind: match p.kind {
                ProviderKind::Spid => "spid".to_owned(),
                ProviderKind::Cie => "cie".to_owned(),
            },
            start: format!("/api/auth/oidc/{}/start", p.id),
        })
        .collect();
    let providers = Providers {
        providers,
        cns: state
            .config
            .cns
            .login_url()
            .map(|_| crate::cns::CNS_START_PATH.to_owned()),
    };
    // The same for everyone and changed only with the configuration: a browser may keep it for
    // five minutes, so the start page's second visit fetches nothing but its HTML (issue 17).
    ([(header::CACHE_CONTROL, PROVIDERS_CACHE)], Json(providers))
}

/// How long the list of providers may be kept.
const PROVIDERS_CACHE: &str = "public, max-age=300";

/// A link that leaves the SPA (`target="_self"`: a full page load, not an in-app navigation).
fn link(class: &str, href: &str, text: &str) -> String {
    format!(
        r#"<a class="{class}" href="{}" target="_self">{}</a>"#,
        escape(href),
        escape(text)
    )
}

/// The SPID providers in a fresh random order (Fisher–Yates): no provider is favoured by its
/// place in the list, as AgID's button asks.
fn shuffled_spid(listed: &[ListedProvider]) -> Vec<&ListedProvider> {
    let mut spid: Vec<_> = listed.iter().filter(|p| p.kind == ProviderKind::Spid).collect();
    for i in (1..spid.len()).rev() {
        let j = u64::from_le_bytes(random_bytes::<8>()) % (i as u64 + 1);
        spid.swap(i, j as usize);
    }
    spid
}

/// The SPID button: a disclosure listing the providers; empty without any.
fn spid_menu(spid: &[&ListedProvider], label: &str) -> String {
    if spid.is_empty() {
        return String::new();
    }
    let items: String = spid
        .iter()
        .map(|p| {
            format!(
                "<li>{}</li>",
                link("", &format!("/api/auth/oidc/{}/start", p.id), &p.label)
            )
        })
        .collect();
    format!(r#"<details><summary class="button">{label}</summary><ul>{items}</ul></details>"#)
}

/// The fragment for `lang`; empty when no provider and no CNS is configured.
fn login_options(state: &AppState, listed: &[ListedProvider], lang: Lang) -> String {
    let t = |it: &'static str, en: &'static str| if lang == Lang::It { it } else { en };
    let mut html = spid_menu(&shuffled_spid(listed), t("Entra con SPID", "Log in with SPID"));
    for p in listed.iter().filter(|p| p.kind == ProviderKind::Cie) {
        let href = format!("/api/auth/oidc/{}/start", p.id);
        html += &format!(
            "<p>{}</p>",
            link("button", &href, t("Entra con CIE", "Log in with CIE"))
        );
    }
    if state.config.cns.login_url().is_some() {
        let start = crate::cns::CNS_START_PATH;
        html += &format!(
            "<p>{}</p>",
            link("button", start, t("Entra con CNS", "Log in with CNS"))
        );
    }
    if html.is_empty() {
        return html;
    }
    format!(
        "<h2>{}</h2>{html}",
        t("Oppure entra con SPID, CIE o CNS", "Or log in with SPID, CIE or CNS")
    )
}

#[utoipa::path(
    get,
    path = "/api/auth/login-options",
    tag = "auth",
    responses((status = 200, description = "The login options as an HTML fragment", body = String, content_type = "text/html"))
)]
async fn options(State(state): State<AppState>, headers: HeaderMap) -> impl IntoResponse {
    let lang = crate::http::request_lang(&headers);
    let listed = state.oidc.listed(state.clock.now()).await;
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        login_options(&state, &listed, lang),
    )
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/providers", get(list))
        .route("/auth/login-options", get(options))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spid_providers_come_in_a_fresh_random_order_and_cie_is_left_out() {
        let listed: Vec<ListedProvider> = ["a", "b", "c", "cie"]
            .iter()
            .map(|id| ListedProvider {
                id: (*id).to_owned(),
                label: id.to_uppercase(),
                kind: if *id == "cie" {
                    ProviderKind::Cie
                } else {
                    ProviderKind::Spid
                },
            })
            .collect();
        let mut first = std::collections::HashMap::new();
        for _ in 0..300 {
            let order: Vec<&str> = shuffled_spid(&listed).iter().map(|p| p.id.as_str()).collect();
            assert_eq!(order.len(), 3, "every SPID provider, and only them");
            assert!(!order.contains(&"cie"));
            *first.entry(order[0]).or_insert(0) += 1;
        }
        // Each comes first about a third of the time (a fixed order would give 300 to one).
        for id in ["a", "b", "c"] {
            let n = first.get(id).copied().unwrap_or(0);
            assert!((50..=150).contains(&n), "{id} first {n} times of 300");
        }
    }

    #[test]
    fn values_are_escaped_in_the_fragment() {
        assert_eq!(
            link("", "/x?a=1&b=\"2\"", "<b>Ente</b>"),
            r#"<a class="" href="/x?a=1&amp;b=&quot;2&quot;" target="_self">&lt;b&gt;Ente&lt;/b&gt;</a>"#
        );
    }
}

//! What the service is, the way in (request a PIN, log in), how to sign in and when
//! applications can be sent. Of SPID, CIE and CNS it lists only those this instance offers, as
//! the API's login options say: the page never promises a way in the login page does not have.
//! The hours are the server's (`GET /api/service/hours`); until they arrive, and in the first view
//! written at build time, the default configuration's.

use leptos::prelude::*;

use domain::Lang;
use domain::wire::application::ServiceHours;

use super::StartLinks;
use crate::i18n::{Text, t};
use crate::ui::{tr, use_lang};

/// The public list of ways in besides the PIN: `{"providers":[{"kind":"spid"|"cie",…}],"cns":…}`.
const PROVIDERS_PATH: &str = "/api/auth/providers";
/// The submission windows' hours, as the server is configured.
const HOURS_PATH: &str = "/api/service/hours";

/// The default configuration's hours (those of the first view written at build time).
pub fn default_hours() -> ServiceHours {
    ServiceHours::from(domain::submission_window::WindowConfig::default())
}

/// When applications can be sent, in `lang`, with `hours`.
pub fn window_send(lang: Lang, hours: &ServiceHours) -> String {
    t(lang, Text::WindowSend)
        .replace("{start}", &hours.web_citizen.start)
        .replace("{end}", &hours.web_citizen.end)
        .replace("{cc_start}", &hours.contact_center.start)
        .replace("{cc_end}", &hours.contact_center.end)
}

/// GETs a small public JSON document and reads it as `T`; `None` on any failure (an optional
/// part of the page, nothing to retry).
async fn fetch_public<T: crate::json::FromJson>(path: &str) -> Option<T> {
    let answer = gloo_net::http::Request::get(path).send().await.ok()?;
    if !answer.ok() {
        return None;
    }
    T::parse_json(&answer.text().await.ok()?)
}

/// Which of SPID, CIE and CNS are offered, from the API's list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Offered {
    /// At least one SPID identity provider.
    pub spid: bool,
    /// The CIE identity provider.
    pub cie: bool,
    /// The CNS login.
    pub cns: bool,
}

impl Offered {
    /// Reads the API's list.
    pub fn from_wire(list: &domain::wire::auth::Providers) -> Offered {
        let offers = |kind: &str| list.providers.iter().any(|p| p.kind == kind);
        Offered {
            spid: offers("spid"),
            cie: offers("cie"),
            cns: list.cns.is_some(),
        }
    }
}

/// The explanatory part of the start page, under its heading.
#[component]
pub fn ServiceInfo() -> impl IntoView {
    let offered = RwSignal::new(Offered::default());
    let hours = RwSignal::new(default_hours());
    let lang = use_lang();
    // Straight through gloo rather than the API client: optional parts, nothing to retry (the
    // PIN is always offered, and both are below the start links, out of a phone's first view).
    crate::browser::spawn(async move {
        if let Some(list) = fetch_public::<domain::wire::auth::Providers>(PROVIDERS_PATH).await {
            offered.set(Offered::from_wire(&list));
        }
    });
    crate::browser::spawn(async move {
        if let Some(configured) = fetch_public::<ServiceHours>(HOURS_PATH).await {
            hours.set(configured);
        }
    });
    let item = move |shown: fn(Offered) -> bool, text: Text| {
        move || shown(offered.get()).then(|| view! { <li>{tr(text)}</li> })
    };
    view! {
        <p class="lead">{tr(Text::HomeLead)}</p>
        <p>{tr(Text::HomeWhoFor)}</p>
        <StartLinks />

        <h2>{tr(Text::AccessHeading)}</h2>
        <p>{tr(Text::AccessIntro)}</p>
        <ul class="list">
            <li>{tr(Text::AccessPinInps)}</li>
            <li>{tr(Text::AccessPinSimplified)}</li>
            {item(|o| o.spid, Text::AccessSpid)}
            {item(|o| o.cie, Text::AccessCie)}
            {item(|o| o.cns, Text::AccessCns)}
        </ul>

        <h2>{tr(Text::WindowHeading)}</h2>
        <p>{tr(Text::WindowFill)}</p>
        <p>{move || window_send(lang.get(), &hours.read())}</p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::FromJson;
    use domain::wire::auth::Providers;

    fn offered(json: &str) -> Offered {
        Offered::from_wire(&Providers::parse_json(json).unwrap())
    }

    #[test]
    fn the_hours_said_are_the_servers() {
        assert_eq!(
            window_send(Lang::It, &default_hours()),
            "Puoi inviarla dalle 16:00 alle 08:00, ora italiana. Dalle 08:00 alle 16:00 l'invio è riservato a patronati e intermediari."
        );
        let configured = ServiceHours::parse_json(
            r#"{"web_citizen":{"start":"18:30","end":"07:00"},"contact_center":{"start":"07:00","end":"18:30"}}"#,
        )
        .unwrap();
        assert_eq!(
            window_send(Lang::En, &configured),
            "You can send it from 18:30 to 07:00, Italian time. From 07:00 to 18:30 sending is reserved for welfare offices and intermediaries."
        );
    }

    #[test]
    fn only_the_ways_in_the_api_lists_are_offered() {
        assert_eq!(offered(r#"{"providers":[]}"#), Offered::default());
        let spid = r#"{"id":"a","label":"A","kind":"spid","start":"/api/auth/oidc/a/start"}"#;
        let cie = r#"{"id":"b","label":"B","kind":"cie","start":"/api/auth/oidc/b/start"}"#;
        assert_eq!(
            offered(&format!(
                r#"{{"providers":[{spid},{cie}],"cns":"https://cns.example/api/auth/cns"}}"#
            )),
            Offered {
                spid: true,
                cie: true,
                cns: true
            }
        );
        assert_eq!(
            offered(&format!(r#"{{"providers":[{cie}]}}"#)),
            Offered {
                spid: false,
                cie: true,
                cns: false
            }
        );
    }
}

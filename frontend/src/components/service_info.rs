//! What the service is, the way in (request a PIN, log in), how to sign in and when
//! applications can be sent. Of SPID, CIE and CNS it lists only those this instance offers, as
//! the API's login options say: the page never promises a way in the login page does not have.

use leptos::prelude::*;

use super::StartLinks;
use crate::i18n::Text;
use crate::ui::tr;

/// The public list of ways in besides the PIN: `{"providers":[{"kind":"spid"|"cie",…}],"cns":…}`.
const PROVIDERS_PATH: &str = "/api/auth/providers";

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
    // Straight through gloo rather than the API client: an optional list, nothing to retry (the
    // PIN is always offered, and the list is below the start links, out of a phone's first view).
    crate::browser::spawn(async move {
        if let Ok(answer) = gloo_net::http::Request::get(PROVIDERS_PATH).send().await
            && answer.ok()
            && let Ok(text) = answer.text().await
            && let Some(list) = <domain::wire::auth::Providers as crate::json::FromJson>::parse_json(&text)
        {
            offered.set(Offered::from_wire(&list));
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
        <p>{tr(Text::WindowSend)}</p>
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

//! What the service is, the way in (request a PIN, log in), how to sign in and when
//! applications can be sent. Of SPID, CIE and CNS it lists only those this instance offers, as
//! the API's login options say: the page never promises a way in the login page does not have.

use leptos::prelude::*;

use super::StartLinks;
use crate::app::tr;
use crate::i18n::Text;

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
    pub fn from_json(json: &crate::json::Json) -> Offered {
        let kinds: Vec<&str> = json["providers"]
            .as_array()
            .map(|list| list.iter().filter_map(|p| p["kind"].as_str()).collect())
            .unwrap_or_default();
        Offered {
            spid: kinds.contains(&"spid"),
            cie: kinds.contains(&"cie"),
            cns: json["cns"].as_str().is_some(),
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
            && let Some(json) = crate::json::Json::parse(&text)
        {
            offered.set(Offered::from_json(&json));
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
    use crate::json::Json;

    #[test]
    fn only_the_ways_in_the_api_lists_are_offered() {
        let none = Json::parse(r#"{"providers":[]}"#).unwrap();
        assert_eq!(Offered::from_json(&none), Offered::default());
        let all = Json::parse(
            r#"{"providers":[{"id":"a","kind":"spid"},{"id":"b","kind":"cie"}],"cns":"https://cns.example/api/auth/cns"}"#,
        )
        .unwrap();
        assert_eq!(
            Offered::from_json(&all),
            Offered {
                spid: true,
                cie: true,
                cns: true
            }
        );
        let cie_only = Json::parse(r#"{"providers":[{"id":"b","kind":"cie"}]}"#).unwrap();
        assert_eq!(
            Offered::from_json(&cie_only),
            Offered {
                spid: false,
                cie: true,
                cns: false
            }
        );
    }
}

//! The ways in besides the PIN (`GET /api/auth/providers`): SPID and CIE providers, and CNS.

use super::wire_struct;

wire_struct! {
    /// The login options the server is configured with.
    pub struct Providers {
        /// SPID and CIE identity providers.
        pub providers: Vec<Provider>,
        /// Where the CNS login starts; left out when CNS is not configured.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub cns: Option<String>,
    }
}

wire_struct! {
    /// One SPID or CIE identity provider.
    pub struct Provider {
        /// Its id in the start link.
        pub id: String,
        /// Its name as shown.
        pub label: String,
        /// `spid` or `cie`.
        pub kind: String,
        /// Where the login starts (a plain link).
        pub start: String,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::testing::{matches_api_sample, round_trips};

    #[test]
    fn providers_read_as_the_api_writes_them() {
        matches_api_sample(
            &Providers {
                providers: vec![Provider {
                    id: "demo".into(),
                    label: "Demo SPID".into(),
                    kind: "spid".into(),
                    start: "/api/auth/oidc/demo/start".into(),
                }],
                cns: Some("/api/auth/cns/start".into()),
            },
            r#"{"providers":[{"id":"demo","label":"Demo SPID","kind":"spid","start":"/api/auth/oidc/demo/start"}],
                "cns":"/api/auth/cns/start"}"#,
        );
        round_trips(&Providers {
            providers: vec![],
            cns: None,
        });
    }
}

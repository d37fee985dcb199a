//! Which entry bundle of the SPA (ADR 0008, 0010, 0022) serves which path: written once, read by the
//! SPA's router (to stay in the page or load the other bundle's), by the local server's choice of
//! HTML page (`api/src/spa/mod.rs`), and checked against the CloudFront function in
//! `infra/template.yaml` (a test in `api/src/spa/mod.rs`).

/// The entry bundles of the SPA, each with its own HTML page and wasm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bundle {
    /// `index.html`: start page, PIN request, login, unknown addresses.
    Public,
    /// `area.html`: the application, for a citizen who is logged in.
    Area,
    /// `console.html`: the Contact Center's console, for operators (ADR 0010).
    Console,
    /// `queue.html`: the click-day waiting room `/coda` alone (issue 15, ADR 0022), every
    /// citizen's first load while the room is on, so it carries nothing else.
    Queue,
}

impl Bundle {
    /// Its HTML page in the built SPA.
    pub fn page(self) -> &'static str {
        match self {
            Bundle::Public => "index.html",
            Bundle::Area => "area.html",
            Bundle::Console => "console.html",
            Bundle::Queue => "queue.html",
        }
    }

    /// Its name, as the SPA's panic report gives it (`POST /api/client-errors`).
    pub fn name(self) -> &'static str {
        match self {
            Bundle::Public => "public",
            Bundle::Area => "area",
            Bundle::Console => "console",
            Bundle::Queue => "queue",
        }
    }

    /// Every bundle.
    pub const ALL: [Bundle; 4] = [Bundle::Public, Bundle::Area, Bundle::Console, Bundle::Queue];
}

/// The path prefixes whose every page (the prefix itself and everything under it, even an
/// unknown address, which shows that bundle's own "not found") belongs to a bundle other than
/// the public one.
pub const BUNDLE_PREFIXES: [(&str, Bundle); 4] = [
    ("/domanda", Bundle::Area),
    ("/le-mie-domande", Bundle::Area),
    ("/operatore", Bundle::Console),
    (crate::wire::queue::ROOM_PAGE, Bundle::Queue),
];

/// The bundle that serves `path` (without query or fragment).
pub fn bundle_of_path(path: &str) -> Bundle {
    let path = path.trim_end_matches('/');
    BUNDLE_PREFIXES
        .iter()
        .find(|(prefix, _)| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .map_or(Bundle::Public, |&(_, bundle)| bundle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_under_a_prefix_is_its_bundle_and_the_rest_is_public() {
        for path in [
            "/domanda",
            "/domanda/",
            "/domanda/x/y",
            "/le-mie-domande",
            "/le-mie-domande/a-mio-nome",
        ] {
            assert_eq!(bundle_of_path(path), Bundle::Area, "{path}");
        }
        for path in ["/operatore", "/operatore/chiamata/1"] {
            assert_eq!(bundle_of_path(path), Bundle::Console, "{path}");
        }
        for path in ["/coda", "/coda/", "/coda/altro"] {
            assert_eq!(bundle_of_path(path), Bundle::Queue, "{path}");
        }
        for path in [
            "",
            "/",
            "/accedi",
            "/domandax",
            "/operatori",
            "/domanda-x/operatore",
            "/codice",
            "/coda-x",
            "/accedi/coda",
        ] {
            assert_eq!(bundle_of_path(path), Bundle::Public, "{path}");
        }
        assert_eq!(Bundle::Console.page(), "console.html");
    }

    #[test]
    fn the_waiting_room_is_a_bundle_of_its_own_at_the_address_the_api_gives() {
        assert_eq!(bundle_of_path(crate::wire::queue::ROOM_PAGE), Bundle::Queue);
        assert_eq!(Bundle::Queue.page(), "queue.html");
        assert_eq!(Bundle::Queue.name(), "queue");
    }

    #[test]
    fn each_bundle_has_its_own_page_and_name() {
        let pages: std::collections::HashSet<_> = Bundle::ALL.iter().map(|b| b.page()).collect();
        let names: std::collections::HashSet<_> = Bundle::ALL.iter().map(|b| b.name()).collect();
        assert_eq!((pages.len(), names.len()), (Bundle::ALL.len(), Bundle::ALL.len()));
        for (_, bundle) in BUNDLE_PREFIXES {
            assert!(Bundle::ALL.contains(&bundle), "{bundle:?}");
        }
    }
}

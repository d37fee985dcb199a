//! Content before the wasm: the first view of each bundle's HTML page, written at build time (by
//! `src/bin/prerender.rs`, from `scripts/build-spa.sh`) with the same text tables the components
//! show, so that a phone paints the page while the wasm is still on its way, and the app then
//! takes over in one frame (`take_over`) with nothing moving.
//!
//! The markup here mirrors the components' (`components/{skip_link,header,footer,service_info,
//! start_links,text_input}.rs`, `pages/home.rs`): the e2e test `first_view.spec.ts` checks that
//! the page without JavaScript and the page after the wasm has run show the same text at the same
//! places, so a component changed without this file fails the build's tests.
//!
//! What depends on the citizen (a draft, a session, the address's route) cannot be known at build
//! time: the other pages get the frame (skip link, header, footer) around an empty `<main>`, and
//! the area's pages the "loading" line they show first anyway.

use domain::Lang;

use crate::i18n::{Text, t};

/// The attribute that marks what the app replaces when it starts.
pub const MARK: &str = "data-prerender";

/// A page written at build time: its file in `dist/`, the template it comes from, its `<title>`
/// and what goes in its `<body>`.
pub struct Page {
    /// The file written in `dist/` (`index.html`).
    pub file: &'static str,
    /// The hand-written page it fills (`frontend/index.html`).
    pub template: &'static str,
    /// The document's title, as the page's component sets it.
    pub title: String,
    /// The markup of the first view.
    pub body: String,
}

/// The marker in a template's `<body>` where the first view goes.
pub const SLOT: &str = "<!-- first view -->";

/// Every page the build writes: the start page's, the frame the public bundle's other pages start
/// from, and the area's.
pub fn pages() -> Vec<Page> {
    let lang = Lang::It;
    vec![
        Page {
            file: "index.html",
            template: "index.html",
            title: t(lang, Text::HomeTitle).to_owned(),
            body: frame(lang, &home_main(lang)),
        },
        Page {
            file: "public.html",
            template: "index.html",
            title: t(lang, Text::HomeTitle).to_owned(),
            body: frame(lang, ""),
        },
        Page {
            file: "area.html",
            template: "area.html",
            title: crate::area_texts::at(lang, crate::area_texts::AreaText::ApplicationTitle).to_owned(),
            body: frame(
                lang,
                &format!(r#"<p role="status">{}</p>"#, esc(t(lang, Text::Loading))),
            ),
        },
    ]
}

/// `template` with `page`'s title and first view.
pub fn fill(template: &str, page: &Page) -> Option<String> {
    let (head, rest) = template.split_once("<title>")?;
    let (_, rest) = rest.split_once("</title>")?;
    let (before, after) = rest.split_once(SLOT)?;
    Some(format!(
        "{head}<title>{}</title>{before}{}{after}",
        esc(&page.title),
        page.body
    ))
}

/// Escapes text for HTML content and attribute values.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The shell of `app::shell`: skip link, header, `<main>` holding `main`, footer.
fn frame(lang: Lang, main: &str) -> String {
    let tr = |key: Text| esc(t(lang, key));
    let other = match lang {
        Lang::It => Lang::En,
        Lang::En => Lang::It,
    };
    format!(
        concat!(
            r##"<a {mark} href="#{main_id}" class="skip-link">{skip}</a>"##,
            r#"<header {mark} class="header"><div class="header__inner">"#,
            r#"<a href="/" class="header__service"><span class="header__name">{name}</span>"#,
            r#"<span class="header__tagline">{tagline}</span></a>"#,
            r#"<div class="header__actions"><button type="button" class="lang-switch" lang="{other}">{switch}</button></div>"#,
            r#"</div></header>"#,
            r#"<main {mark} id="{main_id}" class="main" tabindex="-1">{main}</main>"#,
            r#"<footer {mark} class="footer"><div class="footer__inner"><p>{help}</p><p>{service}</p></div></footer>"#,
        ),
        mark = MARK,
        main_id = crate::app::MAIN_ID,
        skip = tr(Text::SkipLink),
        name = tr(Text::ServiceName),
        tagline = tr(Text::ServiceTagline),
        other = other.tag(),
        switch = tr(Text::SwitchToOther),
        main = main,
        help = tr(Text::FooterHelp),
        service = tr(Text::FooterService),
    )
}

/// The start page's `<main>`, as `HomePage` renders it before anyone has typed: `ServiceInfo`
/// (without the SPID/CIE/CNS lines, which come from the API), then the codice fiscale check.
fn home_main(lang: Lang) -> String {
    let tr = |key: Text| esc(t(lang, key));
    let cf = "codice_fiscale";
    format!(
        concat!(
            "<h1>{heading}</h1>",
            r#"<p class="lead">{lead}</p><p>{who_for}</p>"#,
            r#"<div class="start"><p>{start_intro}</p><div class="button-group">"#,
            r#"<a href="{request_pin_path}" class="button button--start" draggable="false">{request_pin}</a>"#,
            r#"<a href="{login_path}" class="button button--secondary" draggable="false">{login}</a>"#,
            "</div></div>",
            "<h2>{access_heading}</h2><p>{access_intro}</p>",
            r#"<ul class="list"><li>{pin}</li><li>{pin_simplified}</li></ul>"#,
            "<h2>{window_heading}</h2><p>{window_fill}</p><p>{window_send}</p>",
            r#"<div class="section"><h2>{cf_heading}</h2><p>{cf_intro}</p>"#,
            r#"<form novalidate=""><div class="form-group">"#,
            r#"<label class="label" for="{cf}">{cf_label}</label>"#,
            r#"<div id="{cf}-hint" class="hint">{cf_hint}</div>"#,
            r#"<input class="input input--cf" id="{cf}" name="{cf}" type="text" autocomplete="off" "#,
            r#"autocapitalize="characters" spellcheck="false" aria-describedby="{cf}-hint">"#,
            "</div>",
            r#"<button type="submit" class="button">{cf_submit}</button></form>"#,
            r#"<div class="status" role="status"></div></div>"#,
        ),
        heading = tr(Text::HomeHeading),
        lead = tr(Text::HomeLead),
        who_for = tr(Text::HomeWhoFor),
        start_intro = tr(Text::StartIntro),
        request_pin_path = crate::router::step_path(domain::Step::Identity),
        login_path = crate::router::LOGIN_PATH,
        request_pin = tr(Text::StartRequestPin),
        login = tr(Text::StartLogin),
        access_heading = tr(Text::AccessHeading),
        access_intro = tr(Text::AccessIntro),
        pin = tr(Text::AccessPinInps),
        pin_simplified = tr(Text::AccessPinSimplified),
        window_heading = tr(Text::WindowHeading),
        window_fill = tr(Text::WindowFill),
        window_send = tr(Text::WindowSend),
        cf_heading = tr(Text::CfHeading),
        cf_intro = tr(Text::CfIntro),
        cf = cf,
        cf_label = tr(Text::CfLabel),
        cf_hint = tr(Text::CfHint),
        cf_submit = tr(Text::CfSubmit),
    )
}

/// Removes the first view, just before the app mounts its own in the same task (no frame is
/// painted in between, so nothing flashes).
#[cfg(target_arch = "wasm32")]
pub fn take_over() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let selector = format!("[{MARK}]");
    while let Ok(Some(element)) = document.query_selector(&selector) {
        element.remove();
    }
}

/// Nothing to take over outside a browser.
#[cfg(not(target_arch = "wasm32"))]
pub fn take_over() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_page_is_written_with_the_tables_words() {
        let home = &pages()[0];
        assert_eq!(home.file, "index.html");
        assert!(home.body.contains(&esc(t(Lang::It, Text::HomeHeading))));
        assert!(
            home.body
                .contains(r#"<main data-prerender id="main" class="main" tabindex="-1"><h1>"#)
        );
        assert!(
            home.body
                .contains(r#"<label class="label" for="codice_fiscale">Codice fiscale</label>"#)
        );
        // SPID, CIE and CNS are listed only once the API has said which this instance offers.
        assert!(!home.body.contains(t(Lang::It, Text::AccessSpid)));
    }

    #[test]
    fn every_top_level_element_is_marked_for_the_take_over() {
        for page in pages() {
            for tag in ["<a ", "<header ", "<main ", "<footer "] {
                let marked = format!("{tag}{MARK}");
                assert!(page.body.contains(&marked), "{}: {tag}", page.file);
            }
        }
    }

    #[test]
    fn a_template_gets_its_title_and_first_view() {
        let template = "<html><head><title>Old</title></head><body>\n  <!-- first view -->\n</body></html>";
        let page = Page {
            file: "x.html",
            template: "x.html",
            title: "Sportello — Indennità & co".into(),
            body: "<main>hi</main>".into(),
        };
        assert_eq!(
            fill(template, &page).unwrap(),
            "<html><head><title>Sportello — Indennità &amp; co</title></head><body>\n  <main>hi</main>\n</body></html>"
        );
        assert!(fill("<html></html>", &page).is_none(), "a template without its slot");
    }
}

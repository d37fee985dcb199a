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
//! the area's pages the "loading" line they show first anyway. The waiting room's page is known
//! until its first answer (heading, what the room is, "loading" in its panel), and written from
//! the page's own markup (`pages::queue_first_view`).

use domain::html::escape as esc;
use domain::{Lang, Step};

use crate::i18n::{Text, t};
use crate::pin_questions::{Kind, questions};

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

/// The first page of the PIN request (`/richiesta-pin/identita`), where a link from elsewhere
/// brings a citizen without a PIN: it needs nothing typed before it, so its first view is known.
pub const FIRST_STEP_FILE: &str = "richiesta-pin-identita.html";

/// The marker in a template's `<body>` where the first view goes.
pub const SLOT: &str = "<!-- first view -->";

/// Every page the build writes: the start page's, the frame the public bundle's other pages start
/// from, the area's and the waiting room's.
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
            file: FIRST_STEP_FILE,
            template: "index.html",
            title: t(lang, crate::pin_questions::page(Step::Identity).title).to_owned(),
            body: frame(lang, &first_step_main(lang)),
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
            title: t(lang, Text::ApplicationTitle).to_owned(),
            body: frame(
                lang,
                &format!(r#"<p role="status">{}</p>"#, esc(t(lang, Text::Loading))),
            ),
        },
        Page {
            file: "queue.html",
            template: "queue.html",
            title: t(lang, Text::QueueTitle).to_owned(),
            body: frame(lang, &crate::pages::queue_first_view(lang)),
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
        main_id = crate::ui::MAIN_ID,
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
        request_pin_path = crate::router::step_path(Step::Identity),
        login_path = crate::router::LOGIN_PATH,
        request_pin = tr(Text::StartRequestPin),
        login = tr(Text::StartLogin),
        access_heading = tr(Text::AccessHeading),
        access_intro = tr(Text::AccessIntro),
        pin = tr(Text::AccessPinInps),
        pin_simplified = tr(Text::AccessPinSimplified),
        window_heading = tr(Text::WindowHeading),
        window_fill = tr(Text::WindowFill),
        window_send = esc(&crate::components::service_info::window_send(
            lang,
            &crate::components::service_info::default_hours()
        )),
        cf_heading = tr(Text::CfHeading),
        cf_intro = tr(Text::CfIntro),
        cf = cf,
        cf_label = tr(Text::CfLabel),
        cf_hint = tr(Text::CfHint),
        cf_submit = tr(Text::CfSubmit),
    )
}

/// The first step's `<main>`, as `PinStepPage` renders it for a new request: back link, caption,
/// heading, introduction, its questions from `pin_questions` (text inputs, the country of
/// residence already "Italia"), Avanti and the empty status line.
fn first_step_main(lang: Lang) -> String {
    let tr = |key: Text| esc(t(lang, key));
    let texts = crate::pin_questions::page(Step::Identity);
    let mut fields = String::new();
    for question in questions(Step::Identity) {
        let Kind::Text(input) = &question.kind else {
            unreachable!("the first step asks text questions only");
        };
        let id = question.field;
        let value = match id {
            "residence_country" => format!(r#" value="{}""#, esc(domain::pin_request::ITALY)),
            _ => String::new(),
        };
        let (hint, described_by) = match question.hint {
            Some(hint) => (
                format!(r#"<div id="{id}-hint" class="hint">{}</div>"#, tr(hint)),
                format!(r#" aria-describedby="{id}-hint""#),
            ),
            None => (String::new(), String::new()),
        };
        fields += &format!(
            concat!(
                r#"<div class="form-group"><label class="label" for="{id}">{label}</label>{hint}"#,
                r#"<input class="input {class}" id="{id}" name="{id}" type="{input_type}" autocomplete="{autocomplete}" "#,
                r#"autocapitalize="{autocapitalize}" spellcheck="false"{described_by}{value}></div>"#,
            ),
            id = id,
            label = tr(question.label),
            hint = hint,
            class = input.class,
            input_type = input.input_type,
            autocomplete = input.autocomplete,
            autocapitalize = input.autocapitalize,
            described_by = described_by,
            value = value,
        );
    }
    format!(
        concat!(
            r#"<a href="{home}" class="back-link">{back}</a>"#,
            r#"<p class="caption">{caption}</p><h1>{heading}</h1><p>{intro}</p>"#,
            r#"<form id="{form_id}" novalidate="">{fields}<button type="submit" class="button">{avanti}</button></form>"#,
            r#"<div class="status" role="status"><p class="status-text"></p></div>"#,
        ),
        home = crate::router::HOME_PATH,
        back = tr(Text::Back),
        caption = esc(&t(lang, Text::PinStepCaption).replace("{n}", "1")),
        heading = tr(texts.heading),
        intro = tr(texts.intro),
        form_id = crate::components::FORM_ID,
        fields = fields,
        avanti = tr(Text::Continue),
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
    fn the_first_step_is_written_from_the_questions_table() {
        let step = pages().into_iter().find(|p| p.file == FIRST_STEP_FILE).unwrap();
        assert_eq!(
            step.title,
            t(Lang::It, crate::pin_questions::page(Step::Identity).title)
        );
        assert!(
            step.body
                .contains(r#"<p class="caption">Richiesta PIN, passo 1 di 4</p>"#)
        );
        assert!(
            step.body
                .contains(r#"<label class="label" for="residence_country">Stato di residenza</label>"#)
        );
        assert!(step.body.contains(r#"value="Italia""#));
        assert!(
            step.body
                .contains(r#"<button type="submit" class="button">Avanti</button>"#)
        );
    }

    #[test]
    fn the_waiting_room_is_written_as_its_page_shows_it_before_the_first_answer() {
        let room = pages().into_iter().find(|p| p.file == "queue.html").unwrap();
        assert_eq!(room.template, "queue.html");
        assert_eq!(room.title, "Sala d'attesa — Sportello");
        assert!(room.body.contains(
            r#"<main data-prerender id="main" class="main" tabindex="-1"><div id="sala-attesa"><h1>Sala d'attesa</h1>"#
        ));
        assert!(room.body.contains(&crate::pages::queue_first_view(Lang::It)));
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

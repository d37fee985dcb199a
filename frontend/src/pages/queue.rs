//! `/coda?dopo=<page>`: the waiting room (issue 15), the one page of its own bundle (`queue.html`,
//! ADR 0022). The API answers `queue.required` while the room is active; the API client of the
//! other bundles brings the citizen here by a page load, and this page takes or keeps the
//! browser's ticket, shows where it stands (updated on the server's schedule,
//! `poll_after_seconds`, never by a reload, which would only add load), claims the pass when the
//! turn comes and then loads `dopo`. Screen readers hear the place at most once a minute, or when
//! the state changes.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use domain::Lang;
use domain::wire::queue::{QueueState, QueueStatus};
use leptos::prelude::*;

use crate::api_client::{self, ApiError, Method};
use crate::browser;
use crate::i18n::{Text, bilingual_texts, t, t_with};
use crate::router;
use crate::ui::{use_document_title, use_lang};

bilingual_texts! {
    /// The waiting room's words.
    QUEUE_TEXTS {
        QueueTitle => ("Sala d'attesa — Sportello", "Waiting room — Sportello"),
        QueueHeading => ("Sala d'attesa", "Waiting room"),
        QueueIntro => (
            "Il servizio è molto richiesto: facciamo entrare poche persone alla volta, nell'ordine della fila.",
            "The service is very busy: we let people in a few at a time, in the order of the line."
        ),
        /// `{n}`: the place in line, 1 being next.
        QueuePosition => ("Sei il numero {n} in fila.", "You are number {n} in line."),
        QueueAhead => ("Persone prima di te: {n}.", "People ahead of you: {n}."),
        QueueWaitRange => (
            "Attesa stimata: tra {low} e {high} minuti.",
            "Estimated wait: between {low} and {high} minutes."
        ),
        QueueWaitAbout => ("Attesa stimata: circa {n} minuti.", "Estimated wait: about {n} minutes."),
        QueueWaitAtMost => ("Attesa stimata: al massimo {n} minuti.", "Estimated wait: {n} minutes at most."),
        QueueWaitMinute => ("Attesa stimata: al massimo un minuto.", "Estimated wait: a minute at most."),
        QueueNoEstimate => (
            "In questo momento non entra nessuno: non possiamo indicare un tempo di attesa.",
            "Nobody is being let in at the moment: we cannot give a waiting time."
        ),
        QueuePaused => (
            "L'ingresso è sospeso per il momento: non possiamo indicare un tempo di attesa.",
            "Entry is paused for the moment: we cannot give a waiting time."
        ),
        /// `{time}`: HH:MM:SS on Italian clocks.
        QueueLastMoved => (
            "La fila si è mossa l'ultima volta alle {time} (ora italiana).",
            "The line last moved at {time} (Italian time)."
        ),
        /// `{time}`: HH:MM on Italian clocks.
        QueueOpensAt => (
            "Il servizio apre alle {time} (ora italiana).",
            "The service opens at {time} (Italian time)."
        ),
        QueueFairness => (
            "L'ordine di chi arriva prima delle {time} viene estratto a sorte all'apertura: arrivare prima non dà un posto migliore.",
            "The order of everyone who arrives before {time} is drawn at random at the opening: arriving earlier does not give a better place."
        ),
        /// `QueueFairness` when the opening's time is not known.
        QueueFairnessNoTime => (
            "L'ordine di chi arriva prima dell'apertura viene estratto a sorte: arrivare prima non dà un posto migliore.",
            "The order of everyone who arrives before the opening is drawn at random: arriving earlier does not give a better place."
        ),
        QueueYourTurn => ("È il tuo turno!", "It is your turn!"),
        QueueGoingOn => ("Ti portiamo al servizio…", "Taking you to the service…"),
        QueueRenewed => (
            "Il tuo turno è passato mentre eri via: hai un nuovo posto in fondo alla fila.",
            "Your turn passed while you were away: you have a new place at the back of the line."
        ),
        QueueAutoUpdate => (
            "Questa pagina si aggiorna da sola: non serve ricaricarla.",
            "This page updates by itself: there is no need to reload it."
        ),
        QueueKeepPlace => (
            "Se chiudi la scheda o perdi la connessione per qualche minuto, il tuo posto resta: torna su questa pagina con lo stesso browser.",
            "If you close the tab or lose the connection for a few minutes, you keep your place: come back to this page in the same browser."
        ),
        QueueTrouble => (
            "Non riusciamo a raggiungere il servizio: riproviamo da soli tra poco.",
            "We cannot reach the service: we will try again shortly by ourselves."
        ),
    }
}

/// Takes or keeps the browser's ticket.
const TICKETS_PATH: &str = "/api/queue/tickets";
/// Where the ticket stands.
const STATUS_PATH: &str = "/api/queue/status";
/// The pass, on the ticket's turn.
const PASS_PATH: &str = "/api/queue/pass";
/// The wait before the first answer has said how long to wait.
const FIRST_POLL: Duration = Duration::from_secs(5);
/// The longest wait between two calls that failed, in seconds.
const MAX_BACKOFF_SECONDS: u64 = 60;
/// Screen readers hear the place at most this often, unless the state changes.
const ANNOUNCE_EVERY_MS: f64 = 60_000.0;

/// `n` with its thousands grouped as `lang` writes them: 1.234 and 1,234.
fn grouped(lang: Lang, n: u64) -> String {
    let digits = n.to_string();
    let separator = if lang == Lang::It { '.' } else { ',' };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

/// The estimated wait in words: an honest range, or why none can be given (nobody is being let
/// in, or the room is paused), never a time that is not known.
fn wait_words(lang: Lang, status: &QueueStatus) -> String {
    let with = |key: Text, n: u64| t_with(lang, key, "n", &grouped(lang, n));
    match (status.paused, status.wait_minutes_low, status.wait_minutes_high) {
        (true, _, _) => t(lang, Text::QueuePaused).to_owned(),
        (false, Some(_), Some(high)) if high <= 1 => t(lang, Text::QueueWaitMinute).to_owned(),
        (false, Some(0), Some(high)) => with(Text::QueueWaitAtMost, high),
        (false, Some(low), Some(high)) if low >= high => with(Text::QueueWaitAbout, high),
        (false, Some(low), Some(high)) => {
            t_with(lang, Text::QueueWaitRange, "low", &grouped(lang, low)).replace("{high}", &grouped(lang, high))
        }
        _ => t(lang, Text::QueueNoEstimate).to_owned(),
    }
}

/// Decides what the live region says: new words at most once a minute, at once when the state
/// changes, never the same words twice in a row — so that a screen reader is not interrupted at
/// every poll while the numbers on the screen follow each one.
#[derive(Debug, Default)]
struct Announcer {
    /// When the last words were given, and in which state (`None`: the service was unreachable).
    last: Option<(f64, Option<QueueState>)>,
    said: String,
}

impl Announcer {
    /// The words to announce now, at `now_ms`, for `state` (`None`: the service is unreachable),
    /// or `None` to stay quiet.
    fn next(&mut self, now_ms: f64, state: Option<QueueState>, words: String) -> Option<String> {
        let due = self
            .last
            .is_none_or(|(at, was)| was != state || now_ms - at >= ANNOUNCE_EVERY_MS);
        if !due || words == self.said {
            return None;
        }
        self.last = Some((now_ms, state));
        self.said.clone_from(&words);
        Some(words)
    }
}

/// The wait before asking again after `failures` failed calls in a row (1 for the first): from the
/// server's interval `base`, doubling up to a minute, then between half of that and all of it at
/// random (`rand01` in `[0, 1)`), so that a crowd cut off together does not come back together.
fn backoff(base: Duration, failures: u32, rand01: f64) -> Duration {
    let ceiling = base
        .as_secs()
        .saturating_mul(1 << failures.min(16))
        .min(MAX_BACKOFF_SECONDS);
    // In thousandths (a NaN reads as 0), so that no float arithmetic on `Duration` is linked.
    let jitter = (rand01.clamp(0.0, 1.0) * 500.0) as u64;
    Duration::from_millis(ceiling * (500 + jitter))
}

/// `at` on Italian clocks, `16:00:05`, or without `seconds` `16:00`.
fn rome_clock(at: &str, seconds: bool) -> Option<String> {
    let time = browser::rome_time(at)?;
    Some(if seconds { time } else { time.get(..5)?.to_owned() })
}

/// What the page knows of the ticket, kept by the polling task and shown again in the other
/// language when the citizen switches.
#[derive(Debug, Default)]
struct Known {
    /// The last answer (`None` until the first).
    status: Option<QueueStatus>,
    /// The turn had passed: the ticket was given a new place at the back.
    renewed: bool,
    /// The last call failed: the page says so and tries again by itself.
    trouble: bool,
    /// `renewed` has not been announced yet.
    renewal_unsaid: bool,
}

/// The id of the page's content, written in the page's language.
const PAGE_ID: &str = "sala-attesa";
/// The id of the panel that shows where the ticket stands.
const PANEL_ID: &str = "stato-coda";
/// The id of the live region (`Announcer`'s words).
const LIVE_ID: &str = "annuncio-coda";

/// A paragraph: its class, its words, and whether the live region says them too.
type Line = (&'static str, String, bool);

/// The class of the panel's paragraph in large bold type.
const LEAD_LINE: &str = "panel__body panel__text";

/// What the panel shows in `lang`: the note that the turn had passed, where the ticket stands,
/// and the note that the service cannot be reached. `time` writes an instant on Italian clocks,
/// with seconds or without. Screen readers are told the place and the wait, the opening, or the
/// turn (and the notes), not what only the eye needs every few seconds.
fn standing(lang: Lang, known: &Known, time: &dyn Fn(&str, bool) -> Option<String>) -> Vec<Line> {
    let say = |key: Text| t(lang, key).to_owned();
    let mut lines = Vec::new();
    if known.renewed {
        lines.push(("inset-text", say(Text::QueueRenewed), known.renewal_unsaid));
    }
    match &known.status {
        None => lines.push(("status-text", say(Text::Loading), false)),
        Some(status) if status.state == QueueState::PreQueue => {
            match status.opens_at.as_deref().and_then(|at| time(at, false)) {
                Some(at) => {
                    lines.push((LEAD_LINE, t_with(lang, Text::QueueOpensAt, "time", &at), true));
                    lines.push(("", t_with(lang, Text::QueueFairness, "time", &at), false));
                }
                None => lines.push(("", say(Text::QueueFairnessNoTime), true)),
            }
        }
        Some(status) if status.state == QueueState::YourTurn => {
            lines.push((LEAD_LINE, say(Text::QueueYourTurn), true));
            lines.push(("", say(Text::QueueGoingOn), true));
        }
        Some(status) => {
            let number = |key: Text, n: u64| t_with(lang, key, "n", &grouped(lang, n));
            if let Some(n) = status.position {
                lines.push((LEAD_LINE, number(Text::QueuePosition, n), true));
            }
            if let Some(n) = status.ahead {
                lines.push(("", number(Text::QueueAhead, n), false));
            }
            lines.push(("", wait_words(lang, status), true));
            if let Some(at) = status.last_moved_at.as_deref().and_then(|at| time(at, true)) {
                lines.push(("", t_with(lang, Text::QueueLastMoved, "time", &at), false));
            }
        }
    }
    if known.trouble {
        lines.push(("status-text", say(Text::QueueTrouble), true));
    }
    lines
}

/// The panel as HTML, and what the live region would say. The words are the tables' and the
/// API's numbers and times, which hold no markup (a test checks the tables).
fn panel(lines: &[Line]) -> (String, String) {
    let mut html = String::new();
    let mut spoken = String::new();
    for (class, words, said) in lines {
        html.push_str(&format!(r#"<p class="{class}">{words}</p>"#));
        if *said {
            if !spoken.is_empty() {
                spoken.push(' ');
            }
            spoken.push_str(words);
        }
    }
    (html, spoken)
}

/// Writes the panel (as HTML, like the page: see `QueuePage`); returns what the live region
/// would say.
fn show(lang: Lang, known: &Known) -> String {
    let (html, spoken) = panel(&standing(lang, known, &rome_clock));
    browser::set_inner_html(PANEL_ID, &html);
    spoken
}

/// The page's first view in `lang`, before any answer (written into `queue.html` at build time,
/// `crate::prerender`, so that a phone shows the room while its wasm is on the way).
pub fn first_view(lang: Lang) -> String {
    let panel = panel(&standing(lang, &Known::default(), &rome_clock)).0;
    format!(r#"<div id="{PAGE_ID}">{}</div>"#, page_html(lang, &panel))
}

/// The page in `lang`, with `panel` in its panel and an empty live region (`show` and the
/// polling task fill them).
fn page_html(lang: Lang, panel: &str) -> String {
    let say = |key: Text| t(lang, key);
    format!(
        r#"<h1>{}</h1><p class="lead">{}</p><div id="{PANEL_ID}" class="panel">{panel}</div><p>{}</p><p>{}</p><div id="{LIVE_ID}" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true"></div>"#,
        say(Text::QueueHeading),
        say(Text::QueueIntro),
        say(Text::QueueAutoUpdate),
        say(Text::QueueKeepPlace),
    )
}

/// The call to make next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ask {
    /// Take or keep the ticket (`POST /api/queue/tickets`).
    Ticket,
    /// Where it stands (`GET /api/queue/status`).
    Status,
    /// The pass, on the ticket's turn (`POST /api/queue/pass`).
    Pass,
}

/// What one round of polling leads to.
enum Then {
    /// Make the call `Ask` after this long.
    Wait(Ask, Duration),
    /// The call failed: make it again, after backing off.
    Fail,
    /// Admitted (or no room): go on.
    Leave,
}

/// Polls until the citizen is admitted, then loads `next`; stops when the page is left (`alive`
/// false). One call per round, then one wait.
async fn wait_for_turn(next: String, known: Rc<RefCell<Known>>, alive: Arc<AtomicBool>) {
    let live = || alive.load(Ordering::Relaxed);
    let mut announcer = Announcer::default();
    let mut ask = Ask::Ticket;
    let mut base = FIRST_POLL;
    let mut failures = 0;
    while live() {
        let (method, path) = match ask {
            Ask::Ticket => (Method::Post, TICKETS_PATH),
            Ask::Status => (Method::Get, STATUS_PATH),
            Ask::Pass => (Method::Post, PASS_PATH),
        };
        let answer = api_client::call_once(method, path).await;
        if !live() {
            return;
        }
        // The page's language (kept on `<html lang>` by the shell).
        let lang = browser::document_lang();
        let mut say = false;
        let then = match (ask, answer) {
            (Ask::Pass, Ok(_)) => Then::Leave,
            // Not yet by the server's clock, or the ticket is gone: ask where it stands.
            (Ask::Pass, Err(ApiError::Refused { .. } | ApiError::NotFound)) => Then::Wait(Ask::Status, base),
            // The browser has no ticket (any more): take one at once.
            (Ask::Status, Err(ApiError::NotFound)) => Then::Wait(Ask::Ticket, Duration::ZERO),
            (_, answer) => match answer.and_then(api_client::read::<QueueStatus>) {
                Err(_) => Then::Fail,
                Ok(status) => {
                    base = Duration::from_secs(status.poll_after_seconds.clamp(1, 600).into());
                    match status.state {
                        QueueState::Open => Then::Leave,
                        QueueState::Expired => {
                            // A new place at the back, asked for at once (unless just asked for).
                            let mut noted = known.borrow_mut();
                            noted.renewed = true;
                            noted.renewal_unsaid = true;
                            Then::Wait(Ask::Ticket, if ask == Ask::Status { Duration::ZERO } else { base })
                        }
                        state => {
                            say = true;
                            known.borrow_mut().status = Some(status);
                            match state {
                                QueueState::YourTurn => Then::Wait(Ask::Pass, Duration::ZERO),
                                _ => Then::Wait(Ask::Status, base),
                            }
                        }
                    }
                }
            },
        };
        let delay = match then {
            Then::Leave => {
                // `next` is another bundle's page: a page load, in place of the room in the
                // history, so that Back does not bring the citizen into the line again.
                browser::location_visit(&next, true);
                return;
            }
            Then::Wait(then_ask, delay) => {
                ask = then_ask;
                failures = 0;
                known.borrow_mut().trouble = false;
                delay
            }
            Then::Fail => {
                failures += 1;
                known.borrow_mut().trouble = true;
                say = true;
                backoff(base, failures, browser::random01())
            }
        };
        let words = show(lang, &known.borrow());
        {
            let mut noted = known.borrow_mut();
            // The state the words are about (`None`: the service cannot be reached).
            let state = noted.status.as_ref().filter(|_| !noted.trouble).map(|s| s.state);
            if say && let Some(words) = announcer.next(browser::now_ms(), state, words) {
                noted.renewal_unsaid = false;
                browser::set_text(LIVE_ID, &words);
            }
        }
        if !delay.is_zero() {
            browser::sleep(delay).await;
        }
    }
}

/// The waiting room.
#[component]
pub fn QueuePage() -> impl IntoView {
    use_document_title(Text::QueueTitle, || false);
    let lang = use_lang();
    let known = Rc::new(RefCell::new(Known::default()));
    let alive = Arc::new(AtomicBool::new(true));
    let stop = Arc::clone(&alive);
    on_cleanup(move || stop.store(false, Ordering::Relaxed));
    // The page in its language, now and after each switch. Written as HTML rather than as
    // reactive views: the same markup as the first view the build writes into `queue.html`
    // (`first_view`), and no code per view in the bundle that is, on click day, every citizen's
    // first load.
    let shown = Rc::clone(&known);
    crate::ui::effect(move || {
        let lang = lang.get();
        browser::set_inner_html(PAGE_ID, &page_html(lang, ""));
        let _ = show(lang, &shown.borrow());
    });
    let next = router::after_queue(&browser::location_url());
    browser::spawn(wait_for_turn(next, known, alive));

    view! { <div id=PAGE_ID></div> }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::wire::Timestamp;

    fn waiting(low: Option<u64>, high: Option<u64>, paused: bool) -> QueueStatus {
        QueueStatus {
            state: QueueState::Waiting,
            opens_at: None,
            position: Some(1234),
            ahead: Some(1233),
            wait_minutes_low: low,
            wait_minutes_high: high,
            last_moved_at: Some(Timestamp("2020-04-01T14:03:12Z".into())),
            paused,
            claim_by: None,
            poll_after_seconds: 5,
        }
    }

    #[test]
    fn every_text_has_italian_and_english_with_the_same_placeholders() {
        crate::i18n::check_table(QUEUE_TEXTS.iter().map(|key| (key.get(Lang::It), key.get(Lang::En))));
    }

    #[test]
    fn numbers_are_grouped_as_each_language_writes_them() {
        assert_eq!(grouped(Lang::It, 1234), "1.234");
        assert_eq!(grouped(Lang::En, 1234), "1,234");
        assert_eq!(grouped(Lang::It, 1_234_567), "1.234.567");
        assert_eq!(grouped(Lang::En, 999), "999");
        assert_eq!(grouped(Lang::It, 0), "0");
        assert_eq!(grouped(Lang::En, 100_000), "100,000");
    }

    #[test]
    fn the_wait_is_an_honest_range() {
        let words = |low, high| {
            let status = waiting(low, high, false);
            (wait_words(Lang::It, &status), wait_words(Lang::En, &status))
        };
        assert_eq!(
            words(Some(7), Some(13)),
            (
                "Attesa stimata: tra 7 e 13 minuti.".into(),
                "Estimated wait: between 7 and 13 minutes.".into()
            )
        );
        assert_eq!(words(Some(0), Some(4)).0, "Attesa stimata: al massimo 4 minuti.");
        assert_eq!(words(Some(0), Some(1)).1, "Estimated wait: a minute at most.");
        assert_eq!(words(Some(0), Some(0)).1, "Estimated wait: a minute at most.");
        assert_eq!(words(Some(5), Some(5)).1, "Estimated wait: about 5 minutes.");
        assert_eq!(
            words(Some(1000), Some(1500)).1,
            "Estimated wait: between 1,000 and 1,500 minutes."
        );
    }

    #[test]
    fn without_an_estimate_no_time_is_promised() {
        let none = waiting(None, None, false);
        assert_eq!(wait_words(Lang::It, &none), t(Lang::It, Text::QueueNoEstimate));
        assert!(!wait_words(Lang::En, &none).contains("minute"));
        // Paused: whatever the last rate said, nobody is let in now.
        let paused = waiting(Some(7), Some(13), true);
        assert_eq!(wait_words(Lang::En, &paused), t(Lang::En, Text::QueuePaused));
        assert!(!wait_words(Lang::It, &paused).contains("minut"));
    }

    #[test]
    fn the_live_region_is_told_the_place_and_the_wait_or_the_turn() {
        let spoken = |status: &QueueStatus, renewed: bool, trouble: bool| {
            let mut known = known(status, renewed, trouble);
            known.renewal_unsaid = renewed;
            panel(&standing(Lang::It, &known, &clock)).1
        };
        let status = waiting(Some(7), Some(13), false);
        assert_eq!(
            spoken(&status, false, false),
            "Sei il numero 1.234 in fila. Attesa stimata: tra 7 e 13 minuti."
        );
        let turn = QueueStatus {
            state: QueueState::YourTurn,
            ..status.clone()
        };
        assert_eq!(spoken(&turn, false, false), "È il tuo turno! Ti portiamo al servizio…");
        let before = QueueStatus {
            state: QueueState::PreQueue,
            opens_at: Some(Timestamp("2020-04-01T16:00:00Z".into())),
            ..status.clone()
        };
        assert_eq!(
            spoken(&before, false, false),
            "Il servizio apre alle 16:00 (ora italiana)."
        );
        let renewed_in_trouble = spoken(&status, true, true);
        assert!(
            renewed_in_trouble.starts_with(t(Lang::It, Text::QueueRenewed)),
            "{renewed_in_trouble}"
        );
        assert!(
            renewed_in_trouble.ends_with(t(Lang::It, Text::QueueTrouble)),
            "{renewed_in_trouble}"
        );
    }

    #[test]
    fn the_panels_html_is_one_paragraph_a_line_and_its_words_hold_no_markup() {
        let (html, _) = panel(&[(LEAD_LINE, "Sei il numero 1 in fila.".into(), true)]);
        assert_eq!(
            html,
            r#"<p class="panel__body panel__text">Sei il numero 1 in fila.</p>"#
        );
        // The panel and the page are written as HTML unescaped: their words must not need it.
        let words = QUEUE_TEXTS
            .iter()
            .chain(&[Text::Loading])
            .flat_map(|key| [key.get(Lang::It), key.get(Lang::En)]);
        for words in words {
            assert!(!words.contains(['<', '>', '&', '"']), "{words}");
        }
    }

    fn known(status: &QueueStatus, renewed: bool, trouble: bool) -> Known {
        Known {
            status: Some(status.clone()),
            renewed,
            trouble,
            ..Known::default()
        }
    }

    /// Times as Italian clocks would show them, for the tests: the instant's own digits.
    fn clock(at: &str, seconds: bool) -> Option<String> {
        let time = at.get(11..19)?;
        Some(if seconds { time } else { &time[..5] }.to_owned())
    }

    #[test]
    fn the_page_shows_the_place_the_wait_and_when_the_line_last_moved() {
        let status = waiting(Some(7), Some(13), false);
        let lines = standing(Lang::It, &known(&status, false, false), &clock);
        let words: Vec<_> = lines.iter().map(|(_, words, _)| words.as_str()).collect();
        assert_eq!(
            words,
            [
                "Sei il numero 1.234 in fila.",
                "Persone prima di te: 1.233.",
                "Attesa stimata: tra 7 e 13 minuti.",
                "La fila si è mossa l'ultima volta alle 14:03:12 (ora italiana).",
            ]
        );
        assert_eq!(lines[0].0, LEAD_LINE);
        let english = standing(Lang::En, &known(&status, false, false), &clock);
        assert_eq!(english[0].1, "You are number 1,234 in line.");
        assert_eq!(
            standing(Lang::It, &Known::default(), &clock)[0].1,
            t(Lang::It, Text::Loading)
        );
        // The notes: before, that the turn had passed; after, that the service cannot be reached.
        let noted = standing(Lang::It, &known(&status, true, true), &clock);
        assert_eq!(noted[0].1, t(Lang::It, Text::QueueRenewed));
        assert_eq!(noted[1].1, "Sei il numero 1.234 in fila.");
        assert_eq!(noted.last().unwrap().1, t(Lang::It, Text::QueueTrouble));
    }

    #[test]
    fn before_the_opening_the_page_says_the_order_is_drawn_at_random() {
        let before = QueueStatus {
            state: QueueState::PreQueue,
            opens_at: Some(Timestamp("2020-04-01T16:00:00Z".into())),
            position: None,
            ahead: None,
            ..waiting(None, None, false)
        };
        let lines = standing(Lang::It, &known(&before, false, false), &clock);
        assert_eq!(lines[0].1, "Il servizio apre alle 16:00 (ora italiana).");
        assert_eq!(
            lines[1].1,
            "L'ordine di chi arriva prima delle 16:00 viene estratto a sorte all'apertura: arrivare prima non dà un posto migliore."
        );
        let unknown = QueueStatus {
            opens_at: None,
            ..before
        };
        let lines = standing(Lang::En, &known(&unknown, false, false), &clock);
        assert_eq!(lines[0].1, t(Lang::En, Text::QueueFairnessNoTime));
    }

    #[test]
    fn the_first_view_is_the_page_before_its_first_answer() {
        let view = first_view(Lang::It);
        assert!(
            view.starts_with(r#"<div id="sala-attesa"><h1>Sala d'attesa</h1>"#),
            "{view}"
        );
        assert!(view.contains(&format!(
            r#"<div id="stato-coda" class="panel"><p class="status-text">{}</p></div>"#,
            t(Lang::It, Text::Loading)
        )));
        assert!(view.contains(t(Lang::It, Text::QueueKeepPlace)));
        assert!(view.ends_with(r#"aria-atomic="true"></div></div>"#), "{view}");
        assert!(first_view(Lang::En).contains("<h1>Waiting room</h1>"));
    }

    #[test]
    fn the_fairness_sentence_names_the_opening() {
        assert_eq!(
            t_with(Lang::It, Text::QueueFairness, "time", "16:00"),
            "L'ordine di chi arriva prima delle 16:00 viene estratto a sorte all'apertura: arrivare prima non dà un posto migliore."
        );
    }

    #[test]
    fn the_place_is_announced_at_most_once_a_minute() {
        let mut announcer = Announcer::default();
        let waiting = Some(QueueState::Waiting);
        assert_eq!(
            announcer.next(0.0, waiting, "numero 100".into()),
            Some("numero 100".into())
        );
        // GIVEN polls every 5 s, WHEN the place moves, THEN nothing is said within the minute…
        for second in 1..12 {
            let words = format!("numero {}", 100 - second);
            assert_eq!(announcer.next(f64::from(second) * 5_000.0, waiting, words), None);
        }
        // …and the place of the moment once it is over.
        assert_eq!(
            announcer.next(60_000.0, waiting, "numero 88".into()),
            Some("numero 88".into())
        );
        // The same words are not said again.
        assert_eq!(announcer.next(200_000.0, waiting, "numero 88".into()), None);
    }

    #[test]
    fn a_change_of_state_is_announced_at_once() {
        let mut announcer = Announcer::default();
        assert!(
            announcer
                .next(0.0, Some(QueueState::Waiting), "numero 2".into())
                .is_some()
        );
        assert_eq!(
            announcer.next(5_000.0, Some(QueueState::YourTurn), "tocca a te".into()),
            Some("tocca a te".into())
        );
        assert!(announcer.next(6_000.0, None, "non raggiungibile".into()).is_some());
        assert!(
            announcer
                .next(7_000.0, Some(QueueState::Waiting), "numero 1".into())
                .is_some()
        );
    }

    #[test]
    fn failed_polls_back_off_doubling_up_to_a_minute_with_jitter() {
        let five = Duration::from_secs(5);
        let ceilings: Vec<u64> = (1..=6).map(|f| backoff(five, f, 1.0).as_secs()).collect();
        assert_eq!(ceilings, [10, 20, 40, 60, 60, 60]);
        assert_eq!(backoff(five, 1, 0.0), five, "never less than half the ceiling");
        assert_eq!(backoff(five, 40, 0.5), Duration::from_secs(45), "no overflow, capped");
        assert_eq!(backoff(five, 1, f64::NAN), five);
        for step in 0..100 {
            let delay = backoff(five, 2, f64::from(step) / 100.0);
            assert!(
                delay >= Duration::from_secs(10) && delay < Duration::from_secs(20),
                "{delay:?}"
            );
        }
    }
}

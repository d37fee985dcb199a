//! When each channel may submit applications: a daily window in Italian local time (Europe/Rome,
//! daylight saving included), possibly crossing midnight — citizens on the web 16:00–08:00, the
//! Contact Center by default 08:00–16:00. Windows are configuration ([`WindowConfig`]); the clock
//! is the caller's (the server's), passed in as `now`.
//!
//! Europe/Rome is computed by hand from the EU rule in force since 1996 (summer time, UTC+2, from
//! 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October; UTC+1 otherwise)
//! rather than with `chrono-tz`, which bundles Rome's whole history since 1893: measured on a
//! release wasm probe (opt-level z, LTO), it costs 10.9 KB more than this rule (9.1 KB after
//! `wasm-opt -Oz`, 2.1 KB brotli) for one rule. chrono-tz stays as a dev-dependency: a test
//! compares the two over every hour of 2020–2030. Should the EU ever drop daylight saving, this is
//! the one place to change.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::Lang;

// --- Europe/Rome --------------------------------------------------------------------------------

/// The last Sunday of `month` (1-12) of `year`.
fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .expect("valid date");
    let last = first_of_next.pred_opt().expect("valid date");
    let back = last.weekday().num_days_from_sunday();
    last - Duration::days(i64::from(back))
}

/// The two instants (UTC) at which Italy changes clocks in `year`: summer time starts, ends.
fn transitions(year: i32) -> [NaiveDateTime; 2] {
    let at_one = NaiveTime::from_hms_opt(1, 0, 0).expect("valid time");
    [
        last_sunday(year, 3).and_time(at_one),
        last_sunday(year, 10).and_time(at_one),
    ]
}

/// Italy's offset from UTC at `at`, in seconds: 7200 in summer time, 3600 otherwise.
pub fn rome_offset_seconds(at: DateTime<Utc>) -> i32 {
    let utc = at.naive_utc();
    let [summer_starts, summer_ends] = transitions(utc.year());
    if summer_starts <= utc && utc < summer_ends {
        7200
    } else {
        3600
    }
}

/// The wall-clock time in Italy at `at`.
pub fn to_rome(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc() + Duration::seconds(i64::from(rome_offset_seconds(at)))
}

/// The instants at which Italian clocks show `local`: one usually, none in the hour skipped in
/// March, two (earliest first) in the hour repeated in October.
pub fn from_rome(local: NaiveDateTime) -> LocalResult<DateTime<Utc>> {
    let mut found = [7200, 3600].into_iter().filter_map(|offset| {
        let candidate = (local - Duration::seconds(offset)).and_utc();
        (i64::from(rome_offset_seconds(candidate)) == offset).then_some(candidate)
    });
    match (found.next(), found.next()) {
        (Some(a), Some(b)) => LocalResult::Ambiguous(a, b),
        (Some(a), None) => LocalResult::Single(a),
        _ => LocalResult::None,
    }
}

// --- channels and windows ---------------------------------------------------------------------

/// Who is submitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Channel {
    /// The citizen, on the web.
    WebCitizen,
    /// A Contact Center operator, on the citizen's behalf.
    ContactCenter,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 2] = [Channel::WebCitizen, Channel::ContactCenter];

    /// The wire and configuration form: `web_citizen`, `contact_center`.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::WebCitizen => "web_citizen",
            Channel::ContactCenter => "contact_center",
        }
    }

    /// The channel named `s`.
    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }
}

/// A daily window in Italian local time: open from `start` (included) to `end` (excluded),
/// crossing midnight when `end` is earlier than `start`; open all day when they are equal.
/// Written `HH:MM-HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SubmissionWindow {
    /// Opening time, Italian wall clock.
    pub start: NaiveTime,
    /// Closing time, Italian wall clock.
    pub end: NaiveTime,
}

/// Why a window or a window configuration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WindowParseError {
    /// Not `HH:MM-HH:MM`.
    #[error("`{0}` is not a window: write it as HH:MM-HH:MM, e.g. 16:00-08:00")]
    Format(String),
    /// A channel name that does not exist.
    #[error("`{0}` is not a channel: use web_citizen or contact_center")]
    UnknownChannel(String),
    /// The same channel configured twice.
    #[error("the channel `{0}` is configured twice")]
    DuplicateChannel(String),
}

const fn hm(hour: u32, minute: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(hour, minute, 0) {
        Some(t) => t,
        None => panic!("invalid time"),
    }
}

fn parse_hh_mm(s: &str) -> Option<NaiveTime> {
    let (h, m) = s.trim().split_once(':')?;
    let two_digits = |p: &str| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(h) || !two_digits(m) {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

impl SubmissionWindow {
    /// Citizens on the web: 16:00–08:00.
    pub const WEB_CITIZEN: SubmissionWindow = SubmissionWindow {
        start: hm(16, 0),
        end: hm(8, 0),
    };

    /// The Contact Center, by default: 08:00–16:00.
    pub const CONTACT_CENTER: SubmissionWindow = SubmissionWindow {
        start: hm(8, 0),
        end: hm(16, 0),
    };

    /// Parses `HH:MM-HH:MM` (spaces around the dash allowed).
    pub fn parse(s: &str) -> Result<Self, WindowParseError> {
        let format = || WindowParseError::Format(s.to_owned());
        let (start, end) = s.split_once('-').ok_or_else(format)?;
        Ok(SubmissionWindow {
            start: parse_hh_mm(start).ok_or_else(format)?,
            end: parse_hh_mm(end).ok_or_else(format)?,
        })
    }

    /// Whether the window is open all day (`start == end`).
    pub fn is_always_open(&self) -> bool {
        self.start == self.end
    }

    /// Whether the Italian wall-clock time `time` falls in the window.
    pub fn contains(&self, time: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= time && time < self.end
        } else if self.start > self.end {
            time >= self.start || time < self.end
        } else {
            true
        }
    }

    /// Whether submissions are accepted at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.contains(to_rome(now).time())
    }

    /// The first instant at or after `now` when the window is open: `now` itself when open.
    pub fn next_opening(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        if self.is_open(now) {
            return now;
        }
        // The window opens either when the wall clock reaches `start` or when the clocks change
        // (a `start` inside the hour skipped in March opens at the change): the first such instant
        // after `now` that is open. A closed spell lasts under a day, so a few days cover it.
        let today = to_rome(now).date();
        let mut candidates = Vec::with_capacity(12);
        for days in -1..=2 {
            match from_rome((today + Duration::days(days)).and_time(self.start)) {
                LocalResult::Single(t) => candidates.push(t),
                LocalResult::Ambiguous(a, b) => candidates.extend([a, b]),
                LocalResult::None => {}
            }
        }
        for year in [today.year(), today.year() + 1] {
            candidates.extend(transitions(year).map(|t| t.and_utc()));
        }
        candidates
            .into_iter()
            .filter(|&t| t > now && self.is_open(t))
            .min()
            .expect("a window that is not empty opens within two days")
    }

    /// When closed at `now`, the sentence that says when sending opens, e.g. "Il servizio per
    /// l'invio apre alle 16:00 di oggi, martedì 24 novembre 2026 (ora italiana)."; `None` when open.
    pub fn closed_notice(&self, now: DateTime<Utc>, lang: Lang) -> Option<String> {
        if self.is_open(now) {
            return None;
        }
        let opening = to_rome(self.next_opening(now));
        let days_ahead = (opening.date() - to_rome(now).date()).num_days();
        let time = format!("{:02}:{:02}", opening.hour(), opening.minute());
        let date = long_date(opening.date(), lang);
        Some(match (lang, days_ahead) {
            (Lang::It, 0) => format!("Il servizio per l'invio apre alle {time} di oggi, {date} (ora italiana)."),
            (Lang::It, 1) => format!("Il servizio per l'invio apre alle {time} di domani, {date} (ora italiana)."),
            (Lang::It, _) => format!("Il servizio per l'invio apre alle {time} di {date} (ora italiana)."),
            (Lang::En, 0) => format!("The service for sending opens at {time} today, {date} (Italian time)."),
            (Lang::En, 1) => format!("The service for sending opens at {time} tomorrow, {date} (Italian time)."),
            (Lang::En, _) => format!("The service for sending opens at {time} on {date} (Italian time)."),
        })
    }
}

/// `martedì 24 novembre 2026`, `Tuesday 24 November 2026`.
fn long_date(date: NaiveDate, lang: Lang) -> String {
    const GIORNI: [&str; 7] = [
        "lunedì",
        "martedì",
        "mercoledì",
        "giovedì",
        "venerdì",
        "sabato",
        "domenica",
    ];
    const DAYS: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    const MESI: [&str; 12] = [
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ];
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let weekday = date.weekday().num_days_from_monday() as usize;
    let month = date.month0() as usize;
    match lang {
        Lang::It => {
            // Italian writes the first of the month as an ordinal: "1° dicembre".
            let day = if date.day() == 1 {
                "1°".to_owned()
            } else {
                date.day().to_string()
            };
            format!("{} {day} {} {}", GIORNI[weekday], MESI[month], date.year())
        }
        Lang::En => format!("{} {} {} {}", DAYS[weekday], date.day(), MONTHS[month], date.year()),
    }
}

impl FromStr for SubmissionWindow {
    type Err = WindowParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SubmissionWindow::parse(s)
    }
}

impl fmt::Display for SubmissionWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start.hour(),
            self.start.minute(),
            self.end.hour(),
            self.end.minute()
        )
    }
}

impl TryFrom<String> for SubmissionWindow {
    type Error = WindowParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        SubmissionWindow::parse(&value)
    }
}

impl From<SubmissionWindow> for String {
    fn from(window: SubmissionWindow) -> Self {
        window.to_string()
    }
}

/// The window of each channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowConfig {
    /// Citizens on the web.
    pub web_citizen: SubmissionWindow,
    /// Contact Center operators.
    pub contact_center: SubmissionWindow,
}

impl Default for WindowConfig {
    /// Citizens 16:00–08:00, the Contact Center 08:00–16:00.
    fn default() -> Self {
        WindowConfig {
            web_citizen: SubmissionWindow::WEB_CITIZEN,
            contact_center: SubmissionWindow::CONTACT_CENTER,
        }
    }
}

impl WindowConfig {
    /// Parses `web_citizen=16:00-08:00,contact_center=08:00-16:00` (commas or semicolons between
    /// entries, spaces ignored); a channel left out keeps its default, an empty string is the default.
    pub fn parse(s: &str) -> Result<Self, WindowParseError> {
        let mut config = WindowConfig::default();
        let mut seen = Vec::new();
        for entry in s.split([',', ';']).map(str::trim).filter(|e| !e.is_empty()) {
            let (name, window) = entry
                .split_once('=')
                .ok_or_else(|| WindowParseError::Format(entry.to_owned()))?;
            let channel =
                Channel::parse(name).ok_or_else(|| WindowParseError::UnknownChannel(name.trim().to_owned()))?;
            if seen.contains(&channel) {
                return Err(WindowParseError::DuplicateChannel(channel.as_str().to_owned()));
            }
            seen.push(channel);
            *config.window_mut(channel) = SubmissionWindow::parse(window)?;
        }
        Ok(config)
    }

    /// The window of `channel`.
    pub fn window(&self, channel: Channel) -> SubmissionWindow {
        match channel {
            Channel::WebCitizen => self.web_citizen,
            Channel::ContactCenter => self.contact_center,
        }
    }

    fn window_mut(&mut self, channel: Channel) -> &mut SubmissionWindow {
        match channel {
            Channel::WebCitizen => &mut self.web_citizen,
            Channel::ContactCenter => &mut self.contact_center,
        }
    }

    /// Whether `channel` may submit at `now`.
    pub fn is_open(&self, channel: Channel, now: DateTime<Utc>) -> bool {
        self.window(channel).is_open(now)
    }

    /// The first instant at or after `now` when `channel` may submit.
    pub fn next_opening(&self, channel: Channel, now: DateTime<Utc>) -> DateTime<Utc> {
        self.window(channel).next_opening(now)
    }

    /// What a citizen reads while their window is closed at `now`: when it opens, that the
    /// answers are kept meanwhile, and that the Contact Center, open by day, can send it for them
    /// (with its hours as configured, and its numbers). `None` while the citizens' window is open.
    pub fn citizen_closed_notice(&self, now: DateTime<Utc>, lang: Lang) -> Option<String> {
        let opens = self.web_citizen.closed_notice(now, lang)?;
        let hm = |t: NaiveTime| format!("{:02}:{:02}", t.hour(), t.minute());
        let (start, end) = (hm(self.contact_center.start), hm(self.contact_center.end));
        Some(match lang {
            Lang::It => format!(
                "{opens} Le risposte che hai inserito sono salvate: ritrovi tutto qui quando rientri. \
                 Se preferisci, il Contact Center INPS, aperto dalle {start} alle {end}, può inviare la domanda per te: \
                 803 164 da rete fissa (gratuito), 06 164 164 da cellulare."
            ),
            Lang::En => format!(
                "{opens} The answers you have given are saved: you will find everything here when you come back. \
                 If you prefer, the INPS Contact Center, open from {start} to {end}, can send the application for you: \
                 803 164 from a landline (free), 06 164 164 from a mobile."
            ),
        })
    }
}

impl WindowConfig {
    /// What an operator reads while the Contact Center's window is closed at `now`: when it opens
    /// and, while the citizens' window is open, that the citizen may send the application online
    /// now, by themselves, with the citizens' hours as configured. `None` while the Contact
    /// Center's window is open.
    pub fn contact_center_closed_notice(&self, now: DateTime<Utc>, lang: Lang) -> Option<String> {
        let opens = self.contact_center.closed_notice(now, lang)?;
        if !self.web_citizen.is_open(now) {
            return Some(opens);
        }
        let hm = |t: NaiveTime| format!("{:02}:{:02}", t.hour(), t.minute());
        let (start, end) = (hm(self.web_citizen.start), hm(self.web_citizen.end));
        Some(match lang {
            Lang::It => format!(
                "{opens} Il cittadino può invece inviare la domanda online adesso, da solo: \
                 il sito è aperto ai cittadini dalle {start} alle {end}. Le risposte inserite su questa chiamata restano salvate."
            ),
            Lang::En => format!(
                "{opens} The citizen can instead send the application online now, by themselves: \
                 the website is open to citizens from {start} to {end}. The answers entered on this call stay saved."
            ),
        })
    }
}

/// An instant as `01/04/2020 alle 10:05` on Italian clocks (`01/04/2020 at 10:05`): the one way
/// the pages and the API's messages write a time of day.
pub fn date_at_time(at: DateTime<Utc>, lang: Lang) -> String {
    let local = to_rome(at);
    let date = format!("{:02}/{:02}/{}", local.day(), local.month(), local.year());
    let time = format!("{:02}:{:02}", local.hour(), local.minute());
    match lang {
        Lang::It => format!("{date} alle {time}"),
        Lang::En => format!("{date} at {time}"),
    }
}

impl fmt::Display for WindowConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "web_citizen={},contact_center={}",
            self.web_citizen, self.contact_center
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The instant at which Italian clocks show `local` (`YYYY-MM-DD HH:MM`), which must be unique.
    fn rome(local: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").unwrap();
        match from_rome(naive) {
            LocalResult::Single(t) => t,
            other => panic!("{local} is not a unique Italian time: {other:?}"),
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const CITIZEN: SubmissionWindow = SubmissionWindow::WEB_CITIZEN;

    // --- the citizens' window on an ordinary day -----------------------------------------------

    #[test]
    fn at_10_the_citizens_window_is_closed_and_opens_at_16_the_same_day() {
        let now = rome("2026-11-24 10:00");
        assert!(!CITIZEN.is_open(now));
        assert_eq!(CITIZEN.next_opening(now), rome("2026-11-24 16:00"));
        assert_eq!(CITIZEN.next_opening(now), utc("2026-11-24T15:00:00Z"));
    }

    #[test]
    fn at_17_the_citizens_window_is_open() {
        let now = rome("2026-11-24 17:00");
        assert!(CITIZEN.is_open(now));
        assert_eq!(CITIZEN.next_opening(now), now);
    }

    #[test]
    fn at_07_59_the_citizens_window_is_still_open_from_the_night_before() {
        assert!(CITIZEN.is_open(rome("2026-11-24 07:59")));
        assert!(CITIZEN.is_open(rome("2026-11-24 07:59") + Duration::seconds(59)));
    }

    #[test]
    fn at_08_00_the_citizens_window_closes_until_16() {
        let now = rome("2026-11-24 08:00");
        assert!(!CITIZEN.is_open(now));
        assert_eq!(CITIZEN.next_opening(now), rome("2026-11-24 16:00"));
    }

    #[test]
    fn the_citizens_window_opens_exactly_at_16_00() {
        assert!(!CITIZEN.is_open(rome("2026-11-24 16:00") - Duration::nanoseconds(1)));
        assert!(CITIZEN.is_open(rome("2026-11-24 16:00")));
    }

    #[test]
    fn the_citizens_window_stays_open_across_midnight() {
        for local in [
            "2026-12-31 23:59",
            "2027-01-01 00:00",
            "2027-01-01 00:01",
            "2027-01-01 03:00",
        ] {
            assert!(CITIZEN.is_open(rome(local)), "{local}");
        }
    }

    #[test]
    fn a_window_that_does_not_cross_midnight_is_closed_at_night() {
        let day = SubmissionWindow::CONTACT_CENTER;
        assert!(day.is_open(rome("2026-11-24 08:00")));
        assert!(day.is_open(rome("2026-11-24 15:59")));
        assert!(!day.is_open(rome("2026-11-24 16:00")));
        assert_eq!(day.next_opening(rome("2026-11-24 23:30")), rome("2026-11-25 08:00"));
    }

    #[test]
    fn a_window_from_a_time_to_itself_is_always_open() {
        let always = SubmissionWindow::parse("00:00-00:00").unwrap();
        assert!(always.is_always_open());
        assert!(always.is_open(rome("2026-03-29 03:30")));
    }

    // --- daylight saving ------------------------------------------------------------------------

    #[test]
    fn on_the_day_summer_time_starts_the_window_follows_the_italian_clock() {
        // 2026-03-29: at 02:00 CET the clocks jump to 03:00 CEST (01:00 UTC).
        // Before the jump it is 01:30 CET (00:30 UTC): open.
        assert!(CITIZEN.is_open(utc("2026-03-29T00:30:00Z")));
        // 07:59 CEST is 05:59 UTC: still open; 08:00 CEST is 06:00 UTC: closed.
        assert_eq!(rome("2026-03-29 07:59"), utc("2026-03-29T05:59:00Z"));
        assert!(CITIZEN.is_open(utc("2026-03-29T05:59:00Z")));
        assert!(!CITIZEN.is_open(utc("2026-03-29T06:00:00Z")));
        // 06:30 UTC would still be 07:30 under winter time: the window must not follow UTC+1.
        assert!(!CITIZEN.is_open(utc("2026-03-29T06:30:00Z")));
        // The day before, 08:00 was at 07:00 UTC.
        assert!(!CITIZEN.is_open(utc("2026-03-28T07:00:00Z")));
        assert!(CITIZEN.is_open(utc("2026-03-28T06:59:00Z")));
        // It reopens at 16:00 CEST, 14:00 UTC.
        assert_eq!(
            CITIZEN.next_opening(utc("2026-03-29T10:00:00Z")),
            utc("2026-03-29T14:00:00Z")
        );
    }

    #[test]
    fn on_the_day_summer_time_ends_the_window_follows_the_italian_clock() {
        // 2026-10-25: at 03:00 CEST the clocks go back to 02:00 CET (01:00 UTC).
        assert_eq!(rome("2026-10-25 07:59"), utc("2026-10-25T06:59:00Z"));
        assert!(CITIZEN.is_open(utc("2026-10-25T06:59:00Z")));
        assert!(!CITIZEN.is_open(utc("2026-10-25T07:00:00Z"))); // 08:00 CET
        // 06:30 UTC would already be 08:30 under summer time: the window must not follow UTC+2.
        assert!(CITIZEN.is_open(utc("2026-10-25T06:30:00Z")));
        // The repeated hour (02:00-03:00 twice) is all inside the window.
        assert!(CITIZEN.is_open(utc("2026-10-25T00:30:00Z")));
        assert!(CITIZEN.is_open(utc("2026-10-25T01:30:00Z")));
        // The day before, 08:00 was at 06:00 UTC.
        assert!(!CITIZEN.is_open(utc("2026-10-24T06:00:00Z")));
        // It reopens at 16:00 CET, 15:00 UTC.
        assert_eq!(
            CITIZEN.next_opening(utc("2026-10-25T10:00:00Z")),
            utc("2026-10-25T15:00:00Z")
        );
    }

    #[test]
    fn the_skipped_and_repeated_hours_have_no_and_two_instants() {
        let at = |s| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(from_rome(at("2026-03-29 02:30")), LocalResult::None);
        assert_eq!(
            from_rome(at("2026-10-25 02:30")),
            LocalResult::Ambiguous(utc("2026-10-25T00:30:00Z"), utc("2026-10-25T01:30:00Z"))
        );
    }

    #[test]
    fn a_window_opening_in_the_skipped_hour_opens_when_the_clocks_change() {
        // GIVEN a window from 02:30, a time that does not exist on 2026-03-29
        let window = SubmissionWindow::parse("02:30-06:00").unwrap();
        // WHEN it is asked at 01:30 CET
        let opening = window.next_opening(rome("2026-03-29 01:30"));
        // THEN it opens at 03:00 CEST, the instant the clocks jump
        assert_eq!(opening, utc("2026-03-29T01:00:00Z"));
        assert_eq!(to_rome(opening).time(), hm(3, 0));
    }

    #[test]
    fn a_window_inside_the_repeated_hour_opens_twice() {
        let window = SubmissionWindow::parse("02:10-02:20").unwrap();
        let first = window.next_opening(rome("2026-10-25 01:00"));
        assert_eq!(first, utc("2026-10-25T00:10:00Z"));
        let second = window.next_opening(first + Duration::minutes(10));
        assert_eq!(second, utc("2026-10-25T01:10:00Z"));
    }

    #[test]
    fn the_hand_written_rome_rule_agrees_with_chrono_tz_every_hour_of_2020_to_2030() {
        use chrono::{Offset, TimeZone};
        let tz = chrono_tz::Europe::Rome;
        let mut at = utc("2020-01-01T00:00:00Z");
        let stop = utc("2031-01-01T00:00:00Z");
        while at < stop {
            let expected = tz.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc();
            assert_eq!(rome_offset_seconds(at), expected, "{at}");
            for minute in [0, 30] {
                let local = to_rome(at).with_minute(minute).unwrap();
                let ours = from_rome(local);
                let theirs = tz.from_local_datetime(&local).map(|t| t.with_timezone(&Utc));
                assert_eq!(ours, theirs, "{local}");
            }
            at += Duration::hours(1);
        }
        // And the instants of change themselves, to the second.
        for year in 2020..=2030 {
            for t in transitions(year) {
                for s in [-1, 0] {
                    let at = t.and_utc() + Duration::seconds(s);
                    let expected = tz.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc();
                    assert_eq!(rome_offset_seconds(at), expected, "{at}");
                }
            }
        }
    }

    // --- what the page says ----------------------------------------------------------------------

    #[test]
    fn the_closed_page_says_when_sending_opens_in_both_languages() {
        let now = rome("2026-11-24 10:00");
        assert_eq!(
            CITIZEN.closed_notice(now, Lang::It).unwrap(),
            "Il servizio per l'invio apre alle 16:00 di oggi, martedì 24 novembre 2026 (ora italiana)."
        );
        assert_eq!(
            CITIZEN.closed_notice(now, Lang::En).unwrap(),
            "The service for sending opens at 16:00 today, Tuesday 24 November 2026 (Italian time)."
        );
        let late = SubmissionWindow::CONTACT_CENTER.closed_notice(rome("2026-11-30 20:00"), Lang::It);
        assert_eq!(
            late.unwrap(),
            "Il servizio per l'invio apre alle 08:00 di domani, martedì 1° dicembre 2026 (ora italiana)."
        );
        assert_eq!(CITIZEN.closed_notice(rome("2026-11-24 17:00"), Lang::It), None);
    }

    #[test]
    fn the_citizens_closed_page_says_the_answers_are_kept_and_the_contact_center_is_open_by_day() {
        let windows = WindowConfig::parse("contact_center=08:30-15:30").unwrap();
        let now = rome("2026-11-24 10:00");
        assert_eq!(
            windows.citizen_closed_notice(now, Lang::It).unwrap(),
            "Il servizio per l'invio apre alle 16:00 di oggi, martedì 24 novembre 2026 (ora italiana). \
             Le risposte che hai inserito sono salvate: ritrovi tutto qui quando rientri. \
             Se preferisci, il Contact Center INPS, aperto dalle 08:30 alle 15:30, può inviare la domanda per te: \
             803 164 da rete fissa (gratuito), 06 164 164 da cellulare."
        );
        assert!(
            windows
                .citizen_closed_notice(now, Lang::En)
                .unwrap()
                .contains("are saved: you will find everything here when you come back. If you prefer, the INPS Contact Center, open from 08:30 to 15:30")
        );
        assert_eq!(windows.citizen_closed_notice(rome("2026-11-24 17:00"), Lang::It), None);
    }

    #[test]
    fn the_operators_closed_notice_says_the_citizen_may_send_online_now_with_the_configured_hours() {
        let windows = WindowConfig::parse("web_citizen=17:00-07:30").unwrap();
        let evening = rome("2026-11-24 20:00");
        assert_eq!(
            windows.contact_center_closed_notice(evening, Lang::It).unwrap(),
            "Il servizio per l'invio apre alle 08:00 di domani, mercoledì 25 novembre 2026 (ora italiana). \
             Il cittadino può invece inviare la domanda online adesso, da solo: il sito è aperto ai cittadini \
             dalle 17:00 alle 07:30. Le risposte inserite su questa chiamata restano salvate."
        );
        assert!(
            windows
                .contact_center_closed_notice(evening, Lang::En)
                .unwrap()
                .contains("The citizen can instead send the application online now, by themselves: the website is open to citizens from 17:00 to 07:30.")
        );
        // Between the two windows (16:00-17:00 here) only the opening is told.
        let between = windows
            .contact_center_closed_notice(rome("2026-11-24 16:30"), Lang::It)
            .unwrap();
        assert!(!between.contains("online"), "{between}");
        assert_eq!(
            windows.contact_center_closed_notice(rome("2026-11-24 10:00"), Lang::It),
            None
        );
    }

    #[test]
    fn a_time_of_day_reads_the_same_everywhere_on_italian_clocks() {
        let at = DateTime::parse_from_rfc3339("2020-04-02T05:05:00Z").unwrap().to_utc();
        assert_eq!(date_at_time(at, Lang::It), "02/04/2020 alle 07:05");
        assert_eq!(date_at_time(at, Lang::En), "02/04/2020 at 07:05");
    }

    // --- configuration ---------------------------------------------------------------------------

    #[test]
    fn windows_are_read_and_written_as_hh_mm_dash_hh_mm() {
        let window = SubmissionWindow::parse(" 16:00 - 08:00 ").unwrap();
        assert_eq!(window, CITIZEN);
        assert_eq!(window.to_string(), "16:00-08:00");
        assert_eq!(serde_json::to_string(&window).unwrap(), "\"16:00-08:00\"");
        for bad in [
            "",
            "16-08",
            "16:00",
            "16:00-8:00",
            "25:00-08:00",
            "16:00-08:60",
            "16:00–08:00",
        ] {
            assert!(SubmissionWindow::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_configuration_names_channels_and_keeps_defaults_for_the_others() {
        assert_eq!(WindowConfig::parse("").unwrap(), WindowConfig::default());
        let config = WindowConfig::parse("contact_center=07:30-20:00").unwrap();
        assert_eq!(config.web_citizen, CITIZEN);
        assert_eq!(config.contact_center.to_string(), "07:30-20:00");
        assert_eq!(WindowConfig::parse(&config.to_string()).unwrap(), config);
        assert_eq!(
            WindowConfig::parse("web=16:00-08:00"),
            Err(WindowParseError::UnknownChannel("web".into()))
        );
        assert!(matches!(
            WindowConfig::parse("web_citizen=16:00-08:00;web_citizen=17:00-08:00"),
            Err(WindowParseError::DuplicateChannel(_))
        ));
        assert!(matches!(
            WindowConfig::parse("web_citizen"),
            Err(WindowParseError::Format(_))
        ));
    }

    #[test]
    fn by_default_the_operators_have_the_hours_the_citizens_do_not() {
        let config = WindowConfig::default();
        let now = rome("2026-11-24 10:00");
        assert!(!config.is_open(Channel::WebCitizen, now));
        assert!(config.is_open(Channel::ContactCenter, now));
        assert_eq!(config.next_opening(Channel::ContactCenter, now), now);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Instants from 2020 to 2031, to the second, weighted towards the days clocks change.
        fn instants() -> impl Strategy<Value = DateTime<Utc>> {
            let anywhere = (1_577_836_800i64..1_924_992_000).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap());
            let near_a_change = (2020i32..=2030, 0usize..2, -30 * 3600i64..30 * 3600)
                .prop_map(|(year, which, offset)| transitions(year)[which].and_utc() + Duration::seconds(offset));
            prop_oneof![anywhere, near_a_change]
        }

        fn windows() -> impl Strategy<Value = SubmissionWindow> {
            (
                0u32..24,
                prop_oneof![Just(0u32), Just(30), 0u32..60],
                0u32..24,
                0u32..60,
            )
                .prop_map(|(h1, m1, h2, m2)| SubmissionWindow {
                    start: hm(h1, m1),
                    end: hm(h2, m2),
                })
        }

        proptest! {
            #[test]
            fn by_default_exactly_one_channel_is_open_at_any_instant(now in instants()) {
                let config = WindowConfig::default();
                prop_assert_eq!(
                    config.is_open(Channel::WebCitizen, now),
                    !config.is_open(Channel::ContactCenter, now)
                );
            }

            #[test]
            fn the_next_opening_is_open_and_nothing_earlier_is(window in windows(), now in instants()) {
                let next = window.next_opening(now);
                prop_assert!(window.is_open(next));
                prop_assert!(next >= now);
                prop_assert_eq!(next == now, window.is_open(now));
                if next > now {
                    // Closed right up to it: a second before, and every minute in between.
                    prop_assert!(!window.is_open(next - Duration::seconds(1)) || next - Duration::seconds(1) < now);
                    prop_assert!(next - now <= Duration::hours(25));
                    let mut t = now;
                    while t < next {
                        prop_assert!(!window.is_open(t), "open at {} before {}", t, next);
                        t += Duration::minutes(1);
                    }
                }
            }

            #[test]
            fn rome_time_round_trips_through_utc(now in instants()) {
                let local = to_rome(now);
                let back = from_rome(local);
                let found = match back {
                    LocalResult::Single(t) => t == now,
                    LocalResult::Ambiguous(a, b) => a == now || b == now,
                    LocalResult::None => false,
                };
                prop_assert!(found, "{} → {} → {:?}", now, local, back);
            }
        }
    }
}

//! `YYYY-MM-DD` dates read and written by hand. chrono's `parse_from_str`/`format` pull its whole
//! strftime machinery into the browser bundle (~10 KB of wasm) for the one format we use.

use chrono::{Datelike, NaiveDate};

/// Parses exactly `YYYY-MM-DD` (four-digit year, two-digit month and day) into a date that exists.
pub fn parse(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range]
            .iter()
            .try_fold(0u32, |n, &d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
    };
    NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)
}

/// Writes `date` as `YYYY-MM-DD` (years 0–9999, which is all this service meets).
pub fn format(date: NaiveDate) -> String {
    let mut out = String::with_capacity(10);
    push_padded(&mut out, date.year() as u32, 4);
    out.push('-');
    push_padded(&mut out, date.month(), 2);
    out.push('-');
    push_padded(&mut out, date.day(), 2);
    out
}

fn push_padded(out: &mut String, mut n: u32, width: u32) {
    let mut divisor = 10u32.pow(width - 1);
    while divisor > 0 {
        out.push(char::from(b'0' + (n / divisor % 10) as u8));
        n %= divisor;
        divisor /= 10;
    }
}

/// Reads an optional `YYYY-MM-DD` with [`parse`] (for `#[serde(default, deserialize_with = …)]`):
/// chrono's own `Deserialize` would bring its strftime parser into the browser.
pub fn deserialize_opt<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
    use serde::Deserialize;
    let text: Option<String> = Option::deserialize(deserializer)?;
    text.map(|s| parse(&s).ok_or_else(|| serde::de::Error::custom(format!("not a YYYY-MM-DD date: {s}"))))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_real_dates_and_refuses_the_rest() {
        assert_eq!(parse("2020-02-29"), NaiveDate::from_ymd_opt(2020, 2, 29));
        assert_eq!(parse("2021-02-29"), None, "not a leap year");
        for bad in [
            "",
            "2020-2-29",
            "20200229",
            "2020/02/29",
            "2020-02-29 ",
            "+020-02-29",
            "2020-13-01",
            "abcd-ef-gh",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn optional_dates_deserialise_by_hand() {
        #[derive(serde::Deserialize)]
        struct Bound {
            #[serde(default, deserialize_with = "deserialize_opt")]
            from: Option<NaiveDate>,
        }
        let read = |json: &str| serde_json::from_str::<Bound>(json).map(|b| b.from);
        assert_eq!(
            read(r#"{"from":"2020-02-23"}"#).unwrap(),
            NaiveDate::from_ymd_opt(2020, 2, 23)
        );
        assert_eq!(read(r#"{}"#).unwrap(), None);
        assert_eq!(read(r#"{"from":null}"#).unwrap(), None);
        assert!(read(r#"{"from":"23/02/2020"}"#).is_err());
    }

    proptest! {
        #[test]
        fn agrees_with_chrono(days in 0i64..(365 * 300)) {
            let date = NaiveDate::from_ymd_opt(1850, 1, 1).unwrap() + chrono::Duration::days(days);
            let text = format(date);
            prop_assert_eq!(&text, &date.format("%Y-%m-%d").to_string());
            prop_assert_eq!(parse(&text), Some(date));
        }
    }
}

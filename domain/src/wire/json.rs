//! A small JSON reader for the API's answers and the drafts saved on the device, and
//! [`FromJson`], which each wire type implements beside its definition.
//!
//! Why not `serde_json::from_str`: a derived `Deserialize` per answer shape, and serde_json's
//! parser with its error reporting, cost each bundle about 5 KB of brotli (measured, ADR 0008),
//! and the SPA reads a handful of small objects the server has already validated. Writing stays
//! with `serde_json::to_string`, whose serializer is small. Numbers are kept as their text and
//! read as integers: the API sends no fractions, and a float parser would cost more than this
//! whole module.

use std::collections::BTreeMap;
use std::ops::Index;

/// A JSON value. Objects keep their members in document order (the error summary lists fields in
/// the order the API sent them, which is the form's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Json {
    /// `null`, and what a missing member or index reads as.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object's members in document order.
    Object(Vec<(String, Json)>),
}

static NULL: Json = Json::Null;

impl Json {
    /// Parses `text` (surrounding whitespace allowed); `None` if it is not one JSON value.
    pub fn parse(text: &str) -> Option<Json> {
        let mut reader = Reader {
            bytes: text.as_bytes(),
            at: 0,
            depth: 0,
        };
        let value = reader.value()?;
        reader.skip_space();
        (reader.at == reader.bytes.len()).then_some(value)
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is a whole one that fits.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    /// The number, if this is a whole one that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    /// The member `key` read as a `T` (`None` if it is missing where required, or of another shape).
    pub fn get<T: FromJson>(&self, key: &str) -> Option<T> {
        T::from_json(&self[key])
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members in document order, if this is an object.
    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Object(members) => Some(members),
            _ => None,
        }
    }

    /// Whether this is an object.
    pub fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }

    /// The members that are strings, in document order (`None` if this is not an object).
    pub fn string_members(&self) -> Option<Vec<(String, String)>> {
        Some(
            self.as_object()?
                .iter()
                .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_owned())))
                .collect(),
        )
    }
}

impl Index<&str> for Json {
    type Output = Json;

    /// The member `key` of an object; `Null` when missing or when this is not an object.
    fn index(&self, key: &str) -> &Json {
        self.as_object()
            .and_then(|members| members.iter().find(|(k, _)| k == key))
            .map_or(&NULL, |(_, value)| value)
    }
}

/// A value read back from the JSON its `Serialize` writes: `None` when the document is not one,
/// so that a renamed or missing field is an error the page shows, never a silent default.
pub trait FromJson: Sized {
    /// `json` as a `Self`.
    fn from_json(json: &Json) -> Option<Self>;

    /// `text` parsed and read as a `Self`.
    fn parse_json(text: &str) -> Option<Self> {
        Self::from_json(&Json::parse(text)?)
    }
}

impl FromJson for String {
    fn from_json(json: &Json) -> Option<Self> {
        json.as_str().map(str::to_owned)
    }
}

impl FromJson for bool {
    fn from_json(json: &Json) -> Option<Self> {
        json.as_bool()
    }
}

impl FromJson for u64 {
    fn from_json(json: &Json) -> Option<Self> {
        json.as_u64()
    }
}

impl FromJson for u32 {
    fn from_json(json: &Json) -> Option<Self> {
        json.as_u64()?.try_into().ok()
    }
}

impl FromJson for i64 {
    fn from_json(json: &Json) -> Option<Self> {
        json.as_i64()
    }
}

/// `null` or a missing member is `None`; anything else must be a `T`.
impl<T: FromJson> FromJson for Option<T> {
    fn from_json(json: &Json) -> Option<Self> {
        match json {
            Json::Null => Some(None),
            other => T::from_json(other).map(Some),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(json: &Json) -> Option<Self> {
        json.as_array()?.iter().map(T::from_json).collect()
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn from_json(json: &Json) -> Option<Self> {
        json.as_object()?
            .iter()
            .map(|(key, value)| Some((key.clone(), T::from_json(value)?)))
            .collect()
    }
}

/// Nesting deeper than this is refused rather than risking the stack on a hostile document.
const MAX_DEPTH: u32 = 64;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    depth: u32,
}

impl Reader<'_> {
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        let found = self.bytes.get(self.at) == Some(&byte);
        self.at += usize::from(found);
        found
    }

    fn literal(&mut self, word: &str, value: Json) -> Option<Json> {
        let found = self.bytes[self.at..].starts_with(word.as_bytes());
        self.at += word.len() * usize::from(found);
        found.then_some(value)
    }

    fn value(&mut self) -> Option<Json> {
        self.skip_space();
        match *self.bytes.get(self.at)? {
            b'n' => self.literal("null", Json::Null),
            b't' => self.literal("true", Json::Bool(true)),
            b'f' => self.literal("false", Json::Bool(false)),
            b'"' => self.string().map(Json::String),
            b'[' | b'{' => self.nested(),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn nested(&mut self) -> Option<Json> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let value = if self.eat(b'[') {
            let mut items = Vec::new();
            if !self.eat(b']') {
                loop {
                    items.push(self.value()?);
                    if self.eat(b']') {
                        break;
                    }
                    self.eat(b',').then_some(())?;
                }
            }
            Json::Array(items)
        } else {
            self.eat(b'{').then_some(())?;
            let mut members = Vec::new();
            if !self.eat(b'}') {
                loop {
                    self.skip_space();
                    let key = self.string()?;
                    self.eat(b':').then_some(())?;
                    members.push((key, self.value()?));
                    if self.eat(b'}') {
                        break;
                    }
                    self.eat(b',').then_some(())?;
                }
            }
            Json::Object(members)
        };
        self.depth -= 1;
        Some(value)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as written.
    fn number(&mut self) -> Option<Json> {
        let start = self.at;
        self.eat_byte(b'-');
        if !self.eat_byte(b'0') {
            (self.digits() > 0).then_some(())?;
        }
        if self.eat_byte(b'.') {
            (self.digits() > 0).then_some(())?;
        }
        if self.eat_byte(b'e') || self.eat_byte(b'E') {
            let _ = self.eat_byte(b'+') || self.eat_byte(b'-');
            (self.digits() > 0).then_some(())?;
        }
        let text = std::str::from_utf8(&self.bytes[start..self.at]).ok()?;
        Some(Json::Number(text.to_owned()))
    }

    /// Takes `byte` if it is next (no whitespace skipped).
    fn eat_byte(&mut self, byte: u8) -> bool {
        let found = self.bytes.get(self.at) == Some(&byte);
        self.at += usize::from(found);
        found
    }

    /// Takes a run of ASCII digits; how many.
    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        self.at - start
    }

    /// A string starting at the current `"`, unescaped.
    fn string(&mut self) -> Option<String> {
        (self.bytes.get(self.at) == Some(&b'"')).then_some(())?;
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let byte = *self.bytes.get(self.at)?;
            self.at += 1;
            match byte {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let escaped = *self.bytes.get(self.at)?;
                    self.at += 1;
                    let plain = match escaped {
                        b'"' | b'\\' | b'/' => escaped,
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            let c = self.unicode_escape()?;
                            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                            continue;
                        }
                        _ => return None,
                    };
                    out.push(plain);
                }
                0..=0x1f => return None,
                _ => out.push(byte),
            }
        }
    }

    /// The character of a `\uXXXX` escape (after the `u`), joining a surrogate pair.
    fn unicode_escape(&mut self) -> Option<char> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) {
            (self.bytes.get(self.at..self.at + 2)? == b"\\u").then_some(())?;
            self.at += 2;
            let second = self.hex4()?;
            (0xDC00..0xE000).contains(&second).then_some(())?;
            char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
        } else {
            char::from_u32(first)
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = std::str::from_utf8(self.bytes.get(self.at..self.at + 4)?).ok()?;
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_serde_json_writes() {
        let written = serde_json::json!({
            "protocol": "INPS-2020-0000001",
            "n": 1200,
            "ok": true,
            "none": null,
            "list": [1, -2, "tre", {"x": []}],
            "accents": "Indennità «Cura Italia» \"quoted\" \\ \n tab\t 😀 \u{1}",
        });
        let json = Json::parse(&serde_json::to_string_pretty(&written).unwrap()).unwrap();
        assert_eq!(json["protocol"].as_str(), Some("INPS-2020-0000001"));
        assert_eq!(json["n"].as_u64(), Some(1200));
        assert_eq!(json["ok"].as_bool(), Some(true));
        assert_eq!(json["none"], Json::Null);
        assert_eq!(json["missing"]["deeper"], Json::Null);
        assert_eq!(json["list"].as_array().unwrap().len(), 4);
        assert_eq!(json["list"].as_array().unwrap()[2].as_str(), Some("tre"));
        assert_eq!(json["accents"].as_str(), written["accents"].as_str());
    }

    #[test]
    fn escapes_and_surrogate_pairs_are_decoded() {
        let json = Json::parse(r#"["\u00e0\u20ac", "\ud83d\ude00", "a\/b"]"#).unwrap();
        let items: Vec<_> = json.as_array().unwrap().iter().map(|j| j.as_str().unwrap()).collect();
        assert_eq!(items, ["à€", "😀", "a/b"]);
    }

    #[test]
    fn object_members_keep_document_order() {
        let json = Json::parse(r#"{"pec": "b", "email": "a", "mobile": 3}"#).unwrap();
        assert_eq!(
            json.string_members().unwrap(),
            [("pec".to_owned(), "b".to_owned()), ("email".to_owned(), "a".to_owned())]
        );
    }

    #[test]
    fn malformed_documents_are_refused() {
        for bad in [
            "",
            " ",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "[1 2]",
            "tru",
            "nul",
            "\"open",
            "\"\\x\"",
            "01",
            "-",
            "1.",
            "1-2",
            "\"\\ud83d\"",
            "{} {}",
            "[\"\n\"]",
            "{a:1}",
        ] {
            assert_eq!(Json::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn hostile_nesting_is_refused_without_exhausting_the_stack() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert_eq!(Json::parse(&deep), None);
        let fine = "[".repeat(10) + &"]".repeat(10);
        assert!(Json::parse(&fine).is_some());
    }

    #[test]
    fn numbers_that_are_not_whole_do_not_read_as_integers() {
        let json = Json::parse("[1.5, -3, 1e3, 0]").unwrap();
        let read: Vec<_> = json.as_array().unwrap().iter().map(Json::as_u64).collect();
        assert_eq!(read, [None, None, None, Some(0)]);
    }
}

//! Turns the benefit catalogue (`data/benefits.json`) into Rust statics (`$OUT_DIR/benefits_table.rs`)
//! for the browser build, which would otherwise carry serde's derived deserialisers for it (~8 KB
//! of brotli, ADR 0008). Only the shape is read here: the catalogue is validated by
//! `Catalogue::from_json` on the server at start-up and, against this very table, by the unit test
//! `the_generated_table_equals_the_validated_json`.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

fn string(v: &Value) -> String {
    format!("{:?}", v.as_str().expect("a string in benefits.json"))
}

fn opt<T>(v: Option<&Value>, f: impl Fn(&Value) -> T) -> String
where
    T: std::fmt::Display,
{
    match v {
        None | Some(Value::Null) => "None".to_owned(),
        Some(v) => format!("Some({})", f(v)),
    }
}

fn text(v: &Value) -> String {
    format!("T({}, {})", string(&v["it"]), string(&v["en"]))
}

fn declaration(d: &Value) -> String {
    let kind = match d["kind"].as_str().expect("a declaration's kind") {
        "confirm" => "K::Confirm".to_owned(),
        "yes_no" => format!(
            "K::YesNo({})",
            opt(d.get("eligible_answer"), |v| match v.as_str() {
                Some("yes") => "YesNo::Yes",
                Some("no") => "YesNo::No",
                _ => panic!("eligible_answer is yes or no"),
            })
        ),
        "date" => format!(
            "K::Date({}, {})",
            opt(d.get("eligible_from"), string),
            opt(d.get("eligible_to"), string)
        ),
        "number" => format!(
            "K::Number({}, {}, {}, {}, {})",
            d["min"].as_i64().expect("min"),
            d["max"].as_i64().expect("max"),
            opt(d.get("eligible_min"), |v| v.as_i64().expect("eligible_min")),
            opt(d.get("eligible_max"), |v| v.as_i64().expect("eligible_max")),
            opt(d.get("unit"), text)
        ),
        other => panic!("unknown declaration kind {other}"),
    };
    format!(
        "D {{ id: {}, short: {}, text: {}, hint: {}, kind: {kind} }}",
        string(&d["id"]),
        text(&d["short"]),
        text(&d["text"]),
        opt(d.get("hint"), text)
    )
}

fn declarations(list: Option<&Value>) -> String {
    let items: Vec<String> = list
        .and_then(Value::as_array)
        .map(|a| a.iter().map(declaration).collect())
        .unwrap_or_default();
    format!("&[{}]", items.join(", "))
}

fn main() {
    let source = Path::new("data/benefits.json");
    println!("cargo::rerun-if-changed={}", source.display());
    let json: Value = serde_json::from_str(&std::fs::read_to_string(source).expect("data/benefits.json"))
        .expect("data/benefits.json is JSON");
    let mut out = String::new();
    writeln!(out, "const VERSION: &str = {};", string(&json["version"])).unwrap();
    writeln!(
        out,
        "const COMMON: &[D] = {};",
        declarations(json.get("common_declarations"))
    )
    .unwrap();
    let benefits: Vec<String> = json["benefits"]
        .as_array()
        .expect("benefits")
        .iter()
        .map(|b| {
            format!(
                "B {{ id: {}, decree: {}, article: {}, amount_euro: {}, title: {}, description: {}, declarations: {} }}",
                string(&b["id"]),
                string(&b["decree"]),
                string(&b["article"]),
                b["amount_euro"].as_u64().expect("amount_euro"),
                text(&b["title"]),
                text(&b["description"]),
                declarations(b.get("declarations"))
            )
        })
        .collect();
    writeln!(out, "const BENEFITS: &[B] = &[{}];", benefits.join(",\n")).unwrap();
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("benefits_table.rs");
    std::fs::write(dest, out).unwrap();
}

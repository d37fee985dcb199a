//! The population registry import (docs/adr/0013): how fast `sportello-admin registry import`
//! loads a CSV file into the embedded SQLite registry, and the report it gives of bad rows. A file
//! of 10,000 made-up residents with a few bad rows among them must import in under 10 s on the
//! CI's kind of machine; the bench prints rows per second and whether the target is met (a figure
//! to read, not a timed test that fails a slow machine), then
//! imports the same file again (a re-import updates, and must cost about the same).
//!
//! Run with `cargo bench -p api --bench registry_import`. Under `cargo test` it imports a small
//! file only, to show the path still works; those figures mean nothing.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use api::registry::import::{ImportReport, import_csv};
use api::registry::sqlite::SqliteRegistry;
use api::registry::synthetic;

/// The longest a 10,000-row import may take.
const TARGET: Duration = Duration::from_secs(10);

/// Rows that break a rule, placed among the good ones: (row text, what the report must say).
const BAD_ROWS: [(&str, &str); 3] = [
    (
        "RSSMRA85T10A562X,Mario,Rossi,M,1985-12-10,H501,Via Roma 1,00100,Roma,RM,Italia",
        "codice_fiscale",
    ),
    ("not,enough,values", "expected 11 values"),
    (
        "SPSGLI50A41H501R,Giulia,Esposito,F,1950-01-01,H501,Via Roma 1,001,Roma,RM,Italia",
        "postcode",
    ),
];

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let rows = if measuring { 10_000 } else { 200 };
    if !measuring {
        println!("(smoke run under cargo test: {rows} rows, figures not meaningful)");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(async {
        let file = csv_with_bad_rows(rows);
        let data = tempfile::tempdir().expect("a temporary directory");
        let registry = SqliteRegistry::open(data.path()).expect("the registry");
        for run in ["first import", "re-import"] {
            let started = Instant::now();
            let report = import_csv(file.as_bytes(), &registry).await.expect("the import");
            let took = started.elapsed();
            print_report(run, &report, took, rows, measuring);
            assert_eq!(report.imported, rows, "every good row is imported");
            assert_eq!(report.bad_rows.len(), BAD_ROWS.len(), "{:?}", report.bad_rows);
            for (bad, (_, says)) in report.bad_rows.iter().zip(BAD_ROWS) {
                assert!(bad.reason.contains(says), "line {}: {}", bad.line, bad.reason);
            }
        }
    });
}

/// A registry file of `rows` synthetic residents with [`BAD_ROWS`] spread among them.
fn csv_with_bad_rows(rows: usize) -> String {
    let mut good = Vec::new();
    synthetic::write_csv(&synthetic::residents(rows), &mut good).expect("the CSV");
    let good = String::from_utf8(good).expect("UTF-8");
    let mut lines = good.lines();
    let mut out = String::new();
    writeln!(out, "{}", lines.next().expect("a header")).expect("a string");
    let every = rows / BAD_ROWS.len();
    for (i, line) in lines.enumerate() {
        if i % every == every / 2 {
            writeln!(out, "{}", BAD_ROWS[i / every].0).expect("a string");
        }
        writeln!(out, "{line}").expect("a string");
    }
    out
}

fn print_report(run: &str, report: &ImportReport, took: Duration, rows: usize, judge: bool) {
    let per_second = report.imported as f64 / took.as_secs_f64();
    println!(
        "{run}: {rows} rows + {} bad in {:.3} s = {per_second:.0} rows/s",
        report.bad_rows.len(),
        took.as_secs_f64()
    );
    for bad in &report.bad_rows {
        println!("  line {}: {}", bad.line, bad.reason);
    }
    if judge {
        let verdict = if took < TARGET { "met" } else { "NOT MET" };
        println!("  target {rows} rows in under {} s: {verdict}", TARGET.as_secs());
    }
}

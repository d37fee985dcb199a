//! `sportello-admin registry import FILE.csv`: loads an embedded registry from a CSV file with a
//! header row and exactly the columns of `domain::registry::COLUMNS`. Every row is checked with
//! the domain's rules; a bad row is reported with its line and reason and the import goes on, so
//! that one typo in a 10,000-row file costs one resident, not the file. Rows are written in
//! batches (one SQLite transaction, or BatchWriteItems, per batch).

use std::io::Read;

use domain::registry::COLUMNS;
use thiserror::Error;

use super::{RegistryError, RegistryWriter, Resident};

/// Rows written together: large enough that commits cost little, small enough that a running
/// server waits only milliseconds for the registry's write lock.
pub const BATCH_ROWS: usize = 1_000;

/// A row that was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// The row's line in the file (the header is line 1).
    pub line: u64,
    /// Why, naming the column.
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Rows stored (inserted or updated).
    pub imported: usize,
    /// Rows refused, in file order.
    pub bad_rows: Vec<BadRow>,
}

/// Why an import stopped.
#[derive(Debug, Error)]
pub enum ImportError {
    /// The header row is not the expected columns: every row would be misread.
    #[error("the header must be exactly {expected}; found {found}")]
    Header {
        /// The expected header.
        expected: String,
        /// The header found.
        found: String,
    },
    /// The file cannot be read as CSV (I/O, not UTF-8).
    #[error("cannot read the file: {0}")]
    Read(#[from] csv::Error),
    /// Writing to the registry failed; rows before the failing batch are stored.
    #[error("after {imported} rows: {source}")]
    Registry {
        /// Rows stored before the failure.
        imported: usize,
        /// The failure.
        source: RegistryError,
    },
}

/// Imports the CSV from `input` into `registry`.
pub async fn import_csv(input: impl Read, registry: &dyn RegistryWriter) -> Result<ImportReport, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        // A row with too few or too many values is a bad row to report, not the end of the file.
        .flexible(true)
        .from_reader(input);
    let header: Vec<String> = reader.headers()?.iter().map(|h| h.trim().to_owned()).collect();
    if header != COLUMNS {
        return Err(ImportError::Header {
            expected: COLUMNS.join(","),
            found: header.join(","),
        });
    }
    let mut report = ImportReport::default();
    let mut batch: Vec<Resident> = Vec::with_capacity(BATCH_ROWS);
    for record in reader.records() {
        let record = record?;
        let line = record.position().map_or(0, |p| p.line());
        let values: Vec<&str> = record.iter().collect();
        match domain::registry::parse_row(&values) {
            Ok(resident) => batch.push(resident),
            Err(e) => report.bad_rows.push(BadRow {
                line,
                reason: e.to_string(),
            }),
        }
        if batch.len() == BATCH_ROWS {
            flush(registry, &mut batch, &mut report).await?;
        }
    }
    flush(registry, &mut batch, &mut report).await?;
    Ok(report)
}

async fn flush(
    registry: &dyn RegistryWriter,
    batch: &mut Vec<Resident>,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    if batch.is_empty() {
        return Ok(());
    }
    registry.upsert(batch).await.map_err(|source| ImportError::Registry {
        imported: report.imported,
        source,
    })?;
    report.imported += batch.len();
    batch.clear();
    Ok(())
}

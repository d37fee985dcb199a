//! Everything a test binary logs, at every level, kept in memory to be searched (for secrets
//! that must never be there). Installed once per binary, before any server starts, so that it is
//! the process's subscriber and not `TestServer`'s quieter one.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// A log sink the tests can read back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything logged so far by any test of this binary, at TRACE; the first call installs the
/// capture, so call it before starting a server.
pub fn everything() -> String {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    let captured = CAPTURED.get_or_init(|| {
        let captured = Captured::default();
        let sink = captured.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .init();
        captured
    });
    String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
}

//! The built SPA, read into memory once when the server starts: each file with its brotli and
//! gzip copies (`FILE.br`, `FILE.gz`, written by `scripts/fingerprint-spa.sh`), its type, its
//! entity tag, and whether its name carries a content hash (ADR 0019). Serving never touches the
//! disk: the dist folder is about 2 MB with its copies, and a file read per request is most of
//! what made static files slow.

use std::collections::HashMap;
use std::path::Path;

use axum::body::Bytes;
use sha2::{Digest, Sha256};

use super::encoding::Encoding;

/// One file of the SPA.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// The file itself.
    pub identity: Bytes,
    /// Its brotli copy, when the build wrote one.
    pub brotli: Option<Bytes>,
    /// Its gzip copy, when the build wrote one.
    pub gzip: Option<Bytes>,
    /// The first 16 hex digits of the file's SHA-256: its entity tag, with the coding's suffix.
    pub digest: String,
    /// The entity tags of the file itself, its brotli copy and its gzip copy, made once at load
    /// rather than per request.
    tags: [String; 3],
    /// Whether the name carries a content hash (`NAME.HASH.EXT`): such a file never changes, so
    /// browsers and CDNs may keep it for a year without asking again.
    pub immutable: bool,
}

impl Asset {
    /// The bytes of the copy in `encoding`; the file itself when there is no such copy.
    pub fn body(&self, encoding: Encoding) -> &Bytes {
        match encoding {
            Encoding::Brotli => self.brotli.as_ref().unwrap_or(&self.identity),
            Encoding::Gzip => self.gzip.as_ref().unwrap_or(&self.identity),
            Encoding::Identity => &self.identity,
        }
    }

    /// The strong entity tag of the copy in `encoding` (each copy is a representation of its own,
    /// RFC 9110 §8.8.3).
    pub fn etag(&self, encoding: Encoding) -> &str {
        match encoding {
            Encoding::Identity => &self.tags[0],
            Encoding::Brotli => &self.tags[1],
            Encoding::Gzip => &self.tags[2],
        }
    }
}

/// Every file of the SPA, by its path under the dist folder (`index.html`,
/// `frontend_bg.0123456789abcdef.wasm`).
#[derive(Debug, Clone, Default)]
pub struct Assets {
    files: HashMap<String, Asset>,
}

impl Assets {
    /// Reads every file under `dir`. A missing folder gives no files (the API alone, as in the
    /// tests that run it without a built SPA); an unreadable file is an error.
    pub fn load(dir: &Path) -> std::io::Result<Assets> {
        let mut raw = HashMap::new();
        if dir.is_dir() {
            read_tree(dir, "", &mut raw)?;
        }
        let mut files = HashMap::new();
        for (name, bytes) in &raw {
            if name.ends_with(".br") || name.ends_with(".gz") {
                continue;
            }
            let digest = hex::encode(&Sha256::digest(bytes)[..8]);
            let asset = Asset {
                content_type: content_type(name),
                identity: bytes.clone(),
                brotli: raw.get(&format!("{name}.br")).cloned(),
                gzip: raw.get(&format!("{name}.gz")).cloned(),
                tags: [
                    format!("\"{digest}\""),
                    format!("\"{digest}-br\""),
                    format!("\"{digest}-gzip\""),
                ],
                digest,
                immutable: is_hashed(name),
            };
            files.insert(name.clone(), asset);
        }
        Ok(Assets { files })
    }

    /// The file at `name`, if the SPA has it.
    pub fn get(&self, name: &str) -> Option<&Asset> {
        self.files.get(name)
    }

    /// How many files there are.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are none (no built SPA).
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

fn read_tree(dir: &Path, prefix: &str, into: &mut HashMap<String, Bytes>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = format!("{prefix}{name}");
        if entry.file_type()?.is_dir() {
            read_tree(&entry.path(), &format!("{path}/"), into)?;
        } else {
            into.insert(path, Bytes::from(std::fs::read(entry.path())?));
        }
    }
    Ok(())
}

/// Whether `name` is `STEM.HASH.EXT` with HASH 16 lower-case hex digits, as
/// `scripts/fingerprint-spa.sh` names what it hashes.
pub fn is_hashed(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    let mut parts = file.rsplit('.');
    let (Some(_ext), Some(hash), Some(stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !stem.is_empty() && hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The `Content-Type` of a file, by its extension.
fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_with_a_sixteen_digit_hash_are_immutable() {
        assert!(is_hashed("frontend_bg.0123456789abcdef.wasm"));
        assert!(is_hashed("area-boot.fedcba9876543210.js"));
        assert!(is_hashed("fonts/titillium.0123456789abcdef.woff2"));
        for name in [
            "index.html",
            "frontend_bg.wasm",
            "style.css",
            "x.0123456789ABCDEF.js",
            "x.0123456789abcde.js",
            ".0123456789abcdef.js",
            "0123456789abcdef.js",
        ] {
            assert!(!is_hashed(name), "{name}");
        }
    }

    #[test]
    fn files_are_read_with_their_compressed_copies_and_their_types() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "<p>page</p>").unwrap();
        std::fs::write(dir.path().join("index.html.br"), "brotli bytes").unwrap();
        std::fs::write(dir.path().join("index.html.gz"), "gzip bytes").unwrap();
        std::fs::write(dir.path().join("app.0123456789abcdef.wasm"), "\0asm").unwrap();
        let assets = Assets::load(dir.path()).unwrap();
        assert_eq!(assets.len(), 2, "the copies are not files of their own");

        let page = assets.get("index.html").unwrap();
        assert_eq!(page.content_type, "text/html; charset=utf-8");
        assert!(!page.immutable);
        assert_eq!(page.body(Encoding::Brotli).as_ref(), b"brotli bytes");
        assert_eq!(page.body(Encoding::Gzip).as_ref(), b"gzip bytes");
        assert_eq!(page.body(Encoding::Identity).as_ref(), b"<p>page</p>");
        // sha256("<p>page</p>") begins 16 hex digits that are the tag, one per representation.
        let digest = hex::encode(&Sha256::digest(b"<p>page</p>")[..8]);
        assert_eq!(page.etag(Encoding::Identity), format!("\"{digest}\""));
        assert_eq!(page.etag(Encoding::Brotli), format!("\"{digest}-br\""));

        let wasm = assets.get("app.0123456789abcdef.wasm").unwrap();
        assert_eq!(wasm.content_type, "application/wasm");
        assert!(wasm.immutable);
        assert!(wasm.brotli.is_none());
        assert_eq!(
            wasm.body(Encoding::Brotli).as_ref(),
            b"\0asm",
            "no copy: the file itself"
        );
    }

    #[test]
    fn a_missing_folder_is_an_empty_spa() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Assets::load(&dir.path().join("dist")).unwrap().is_empty());
    }
}

//! Writes the first view of each bundle's HTML page into the built SPA (`frontend::prerender`):
//! `prerender TEMPLATE_DIR DIST_DIR` reads `TEMPLATE_DIR/index.html`, `area.html` and
//! `queue.html` and writes `DIST_DIR/index.html`, `richiesta-pin-identita.html`, `public.html`,
//! `area.html` and `queue.html`. Run by `scripts/build-spa.sh`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [templates, dist] = args.as_slice() else {
        eprintln!("usage: prerender TEMPLATE_DIR DIST_DIR");
        return ExitCode::from(2);
    };
    for page in frontend::prerender::pages() {
        let source = templates.join(page.template);
        let template = match std::fs::read_to_string(&source) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("prerender: cannot read {}: {e}", source.display());
                return ExitCode::FAILURE;
            }
        };
        let Some(html) = frontend::prerender::fill(&template, &page) else {
            eprintln!(
                "prerender: {} has no <title> or no {} in its body",
                source.display(),
                frontend::prerender::SLOT
            );
            return ExitCode::FAILURE;
        };
        let target = dist.join(page.file);
        if let Err(e) = std::fs::write(&target, html) {
            eprintln!("prerender: cannot write {}: {e}", target.display());
            return ExitCode::FAILURE;
        }
        println!("    {:<20} first view written", page.file);
    }
    ExitCode::SUCCESS
}

//! `layers <src> [--leaf MOD]… [--isolated MOD]… [--max-lines MOD=N]…`: exits 1 and lists the
//! offending imports when a crate's modules form a cycle, a leaf module uses the rest of the
//! crate, or two files under an isolated module use each other; and the functions under MOD
//! longer than N lines. See the library's documentation for what counts as a use.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use layers::{Edge, Graph, Rules, mod_path};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut src: Option<PathBuf> = None;
    let mut rules = Rules::default();
    let mut max_lines: Vec<(Vec<String>, usize)> = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--leaf" | "--isolated" => {
                let Some(module) = args.next() else {
                    eprintln!("{arg} needs a module name");
                    return ExitCode::from(2);
                };
                let list = if arg == "--leaf" {
                    &mut rules.leaves
                } else {
                    &mut rules.isolated
                };
                list.push(mod_path(&module));
            }
            "--max-lines" => {
                let limit = args.next().and_then(|v| {
                    let (module, n) = v.split_once('=')?;
                    Some((mod_path(module), n.parse().ok()?))
                });
                let Some(limit) = limit else {
                    eprintln!("--max-lines needs MOD=N, e.g. routes=40");
                    return ExitCode::from(2);
                };
                max_lines.push(limit);
            }
            _ if src.is_none() => src = Some(PathBuf::from(arg)),
            _ => {
                eprintln!("usage: layers <src-dir> [--leaf MOD]... [--isolated MOD]...");
                return ExitCode::from(2);
            }
        }
    }
    let Some(src) = src else {
        eprintln!("usage: layers <src-dir> [--leaf MOD]... [--isolated MOD]...");
        return ExitCode::from(2);
    };
    let graph = match Graph::read(&src) {
        Ok(graph) => graph,
        Err(e) => {
            eprintln!("layers: {e}");
            return ExitCode::from(2);
        }
    };
    let findings = graph.check(&rules);
    let show = |edge: &Edge| {
        let from = edge.from.strip_prefix(&src).unwrap_or(&edge.from);
        let to = edge.to.strip_prefix(&src).unwrap_or(&edge.to);
        format!("  {}:{} uses {} ({})", shown(from), edge.line, shown(to), edge.written)
    };
    for (n, cycle) in findings.cycles.iter().enumerate() {
        let files: std::collections::BTreeSet<_> = cycle.iter().map(|e| &e.from).collect();
        eprintln!("cycle {} through {} files in {}:", n + 1, files.len(), src.display());
        cycle.iter().for_each(|e| eprintln!("{}", show(e)));
    }
    for edge in &findings.leaf_breaches {
        eprintln!("a leaf module uses the rest of the crate:\n{}", show(edge));
    }
    for edge in &findings.isolation_breaches {
        eprintln!("two isolated modules use each other:\n{}", show(edge));
    }
    let mut too_long = 0;
    for (module, max) in &max_lines {
        match graph.long_functions(module, *max) {
            Ok(long) => {
                for f in &long {
                    let file = f.file.strip_prefix(&src).unwrap_or(&f.file);
                    eprintln!(
                        "{}:{}: fn {} is {} lines (at most {max} under {}): move its work into a service",
                        shown(file),
                        f.line,
                        f.name,
                        f.lines,
                        module.join("::")
                    );
                }
                too_long += long.len();
            }
            Err(e) => {
                eprintln!("layers: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if findings.is_clean() && too_long == 0 {
        println!(
            "{}: {} files, {} imports between them, no cycles{}",
            src.display(),
            graph.files.len(),
            graph.edges.len(),
            if rules.leaves.is_empty() && rules.isolated.is_empty() {
                ""
            } else {
                ", layers kept"
            }
        );
        for (module, max) in &max_lines {
            println!("  every function under {} is at most {max} lines", module.join("::"));
        }
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

//! Reads a crate's source files and checks that its modules import each other one way.
//!
//! A *use* edge goes from the file that names an item to the file that defines the module the
//! item is in: `use crate::store::Sessions` in `routes/session.rs` is an edge to `store/mod.rs`
//! (or `store.rs`), `crate::store::sqlite::open` one to `store/sqlite.rs`. `mod x;` declarations
//! are not uses (a parent owning a child is not a dependency on it). Three checks:
//! - **no cycles**: the strongly connected components of the use graph are single files;
//! - **leaf** modules (`--leaf config --leaf jose`) use nothing of the crate but leaves;
//! - **isolated** modules (`--isolated routes`): the files under them never use one another
//!   (their `mod.rs` may use them all, to mount them).
//!
//! Why not an existing tool: `cargo-modules` does the cycle check but builds rust-analyzer (some
//! minutes of CI on 2 cores) and knows nothing of the leaf and isolated rules; this is a few
//! hundred lines over `syn`, which the build already has.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A module's path inside its crate: `[]` is the crate root, `["store", "sqlite"]` is
/// `crate::store::sqlite`.
pub type ModPath = Vec<String>;

/// One reference from a file to another file's module.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub from: PathBuf,
    pub to: PathBuf,
    /// The line of the first reference in `from`.
    pub line: usize,
    /// The path as written there, e.g. `crate::routes::start_session`.
    pub written: String,
}

/// A crate's files and the use edges between them.
#[derive(Debug, Default)]
pub struct Graph {
    /// Every module file, by module path.
    pub files: BTreeMap<ModPath, PathBuf>,
    /// One edge per (from, to) pair, the first reference found.
    pub edges: Vec<Edge>,
}

/// Why a crate could not be read.
#[derive(Debug)]
pub enum ReadError {
    Io(PathBuf, std::io::Error),
    Parse(PathBuf, syn::Error),
    NoRoot(PathBuf),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(path, e) => write!(f, "{}: {e}", path.display()),
            ReadError::Parse(path, e) => {
                let at = e.span().start();
                write!(f, "{}:{}: {e}", path.display(), at.line)
            }
            ReadError::NoRoot(dir) => write!(f, "{}: neither lib.rs nor main.rs", dir.display()),
        }
    }
}

impl std::error::Error for ReadError {}

/// What the checks found; empty when the crate keeps its layers.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Findings {
    /// Each cycle: its files, and the edges among them.
    pub cycles: Vec<Vec<Edge>>,
    /// Edges out of a leaf module.
    pub leaf_breaches: Vec<Edge>,
    /// Edges between two files under an isolated module.
    pub isolation_breaches: Vec<Edge>,
}

impl Findings {
    pub fn is_clean(&self) -> bool {
        self.cycles.is_empty() && self.leaf_breaches.is_empty() && self.isolation_breaches.is_empty()
    }
}

/// The rules beyond "no cycles".
#[derive(Debug, Default, Clone)]
pub struct Rules {
    pub leaves: Vec<ModPath>,
    pub isolated: Vec<ModPath>,
}

/// Parses `crate::a::b` style module names as given on the command line (`a::b` or `a/b`).
pub fn mod_path(text: &str) -> ModPath {
    text.split([':', '/'])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Graph {
    /// Reads every module file under `src` (a crate's source directory). `src/bin/` is skipped:
    /// each binary there is a crate of its own, which names this one by its name, not `crate`.
    pub fn read(src: &Path) -> Result<Graph, ReadError> {
        let mut graph = Graph::default();
        let root = ["lib.rs", "main.rs"]
            .iter()
            .map(|name| src.join(name))
            .find(|path| path.is_file())
            .ok_or_else(|| ReadError::NoRoot(src.to_owned()))?;
        graph.files.insert(Vec::new(), root);
        collect_files(src, src, &mut graph.files)?;
        let mut found = Vec::new();
        let mut reexports: BTreeMap<ModPath, BTreeMap<String, ModPath>> = BTreeMap::new();
        for (module, path) in &graph.files {
            let text = std::fs::read_to_string(path).map_err(|e| ReadError::Io(path.clone(), e))?;
            let file = syn::parse_file(&text).map_err(|e| ReadError::Parse(path.clone(), e))?;
            let mut finder = References {
                files: &graph.files,
                here: module.clone(),
                found: Vec::new(),
                reexports: BTreeMap::new(),
                in_pub_use: false,
            };
            finder.visit_file(&file);
            reexports.insert(module.clone(), finder.reexports);
            found.push((module.clone(), path.clone(), finder.found));
        }
        let mut edges = BTreeMap::new();
        for (module, path, references) in found {
            for (target, line, written) in references {
                let Some(to_module) = defining_file(&graph.files, &reexports, target) else {
                    continue;
                };
                let to_module = &to_module;
                if *to_module == module {
                    continue;
                }
                let to = graph.files[to_module].clone();
                edges.entry((path.clone(), to.clone())).or_insert(Edge {
                    from: path.clone(),
                    to,
                    line,
                    written,
                });
            }
        }
        graph.edges = edges.into_values().collect();
        Ok(graph)
    }

    fn module_of(&self, file: &Path) -> Option<&ModPath> {
        self.files
            .iter()
            .find(|(_, path)| path.as_path() == file)
            .map(|(module, _)| module)
    }

    /// Runs the three checks.
    pub fn check(&self, rules: &Rules) -> Findings {
        let mut findings = Findings {
            cycles: self.cycles(),
            ..Findings::default()
        };
        for edge in &self.edges {
            let (Some(from), Some(to)) = (self.module_of(&edge.from), self.module_of(&edge.to)) else {
                continue;
            };
            // Leaves form the bottom layer together: a leaf may use another leaf, nothing else.
            let in_leaf = |m: &ModPath| rules.leaves.iter().any(|leaf| m.starts_with(leaf));
            if in_leaf(from) && !in_leaf(to) {
                findings.leaf_breaches.push(edge.clone());
            }
            let isolated = rules.isolated.iter().any(|parent| {
                let under = |m: &ModPath| m.len() > parent.len() && m.starts_with(parent);
                // A file may use its own children (a `routes/operator/` folder's parts).
                under(from) && under(to) && !to.starts_with(from)
            });
            if isolated {
                findings.isolation_breaches.push(edge.clone());
            }
        }
        findings
    }

    /// Strongly connected components of more than one file (Tarjan's algorithm), each as the
    /// edges that stay inside it.
    fn cycles(&self) -> Vec<Vec<Edge>> {
        let nodes: Vec<&PathBuf> = self.files.values().collect();
        let index_of = |p: &PathBuf| nodes.iter().position(|n| *n == p).expect("edge to a known file");
        let mut next: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
        for edge in &self.edges {
            next[index_of(&edge.from)].push(index_of(&edge.to));
        }
        let components = tarjan(&next);
        let mut cycles = Vec::new();
        for component in components.into_iter().filter(|c| c.len() > 1) {
            let inside: BTreeSet<&PathBuf> = component.iter().map(|&i| nodes[i]).collect();
            let edges: Vec<Edge> = self
                .edges
                .iter()
                .filter(|e| inside.contains(&e.from) && inside.contains(&e.to))
                .cloned()
                .collect();
            cycles.push(edges);
        }
        cycles
    }
}

fn collect_files(src: &Path, dir: &Path, files: &mut BTreeMap<ModPath, PathBuf>) -> Result<(), ReadError> {
    let entries = std::fs::read_dir(dir).map_err(|e| ReadError::Io(dir.to_owned(), e))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let relative = path.strip_prefix(src).expect("under src");
        if relative.starts_with("bin") {
            continue;
        }
        if path.is_dir() {
            collect_files(src, &path, files)?;
            continue;
        }
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let mut module: ModPath = relative
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if module.last().is_some_and(|last| last == "mod") {
            module.pop();
        }
        if module == ["lib"] || module == ["main"] {
            continue;
        }
        files.insert(module, path);
    }
    Ok(())
}

/// The file that defines `target`: the module file holding it, or, when that file only
/// re-exports the name (`pub use error::ApiError;` in lib.rs), the file the re-export points to.
/// Without this every `crate::ApiError` would be a use of lib.rs, and lib.rs a hub of one cycle.
fn defining_file(
    files: &BTreeMap<ModPath, PathBuf>,
    reexports: &BTreeMap<ModPath, BTreeMap<String, ModPath>>,
    mut target: ModPath,
) -> Option<ModPath> {
    // Re-exports of re-exports are followed a few times; a loop of them stops here.
    for _ in 0..8 {
        let owner = owning_file(files, &target)?.clone();
        let Some(name) = target.get(owner.len()) else {
            return Some(owner);
        };
        match reexports.get(&owner).and_then(|names| names.get(name)) {
            Some(points_to) => target = [points_to.clone(), target[owner.len() + 1..].to_vec()].concat(),
            None => return Some(owner),
        }
    }
    owning_file(files, &target).cloned()
}

/// The file whose module holds `target`: the longest prefix of it that is a module file.
fn owning_file<'a>(files: &'a BTreeMap<ModPath, PathBuf>, target: &[String]) -> Option<&'a ModPath> {
    (0..=target.len())
        .rev()
        .find_map(|n| files.get_key_value(&target[..n]).map(|(k, _)| k))
}

/// Collects every path that names something of this crate, resolved to an absolute module path.
struct References<'a> {
    files: &'a BTreeMap<ModPath, PathBuf>,
    /// The module being visited: the file's, plus any inline `mod x { … }` entered.
    here: ModPath,
    found: Vec<(ModPath, usize, String)>,
    /// Names this module re-exports (`pub use x::Y;`, `pub use x::Y as Z;`), to their paths.
    reexports: BTreeMap<String, ModPath>,
    in_pub_use: bool,
}

impl References<'_> {
    fn here_is_file(&self) -> bool {
        self.files.contains_key(&self.here)
    }

    /// Resolves a path's leading segments (`crate`, `super`, `self`, or a child module's name) to
    /// an absolute module path; `None` for paths into other crates or local names.
    fn resolve(&self, segments: &[String]) -> Option<ModPath> {
        let first = segments.first()?;
        match first.as_str() {
            "crate" => Some(segments[1..].to_vec()),
            "self" => Some([self.here.clone(), segments[1..].to_vec()].concat()),
            "super" => {
                let mut base = self.here.clone();
                let mut rest = segments;
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop()?;
                    rest = &rest[1..];
                }
                Some([base, rest.to_vec()].concat())
            }
            // `mod letters;` then `letters::export()`: a child module named without `self::`.
            name => {
                let child = [self.here.clone(), vec![name.to_owned()]].concat();
                self.files
                    .contains_key(&child)
                    .then(|| [self.here.clone(), segments.to_vec()].concat())
            }
        }
    }

    fn record(&mut self, segments: Vec<String>, line: usize) {
        if let Some(target) = self.resolve(&segments) {
            self.found.push((target, line, segments.join("::")));
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let line = n.ident.span().start().line;
                let mut path = prefix.clone();
                if n.ident != "self" {
                    path.push(n.ident.to_string());
                }
                if self.in_pub_use
                    && n.ident != "self"
                    && let Some(target) = self.resolve(&path)
                {
                    self.reexports.insert(n.ident.to_string(), target);
                }
                self.record(path, line);
            }
            syn::UseTree::Rename(r) => {
                let line = r.ident.span().start().line;
                let mut path = prefix.clone();
                if r.ident != "self" {
                    path.push(r.ident.to_string());
                }
                if self.in_pub_use
                    && let Some(target) = self.resolve(&path)
                {
                    self.reexports.insert(r.rename.to_string(), target);
                }
                self.record(path, line);
            }
            syn::UseTree::Glob(g) => {
                let line = g.star_token.span.start().line;
                self.record(prefix.clone(), line);
            }
            syn::UseTree::Group(g) => {
                for tree in &g.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for References<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        // Re-exports are remembered at the file's own level only (not in inline modules).
        self.in_pub_use = !matches!(item.vis, syn::Visibility::Inherited) && self.here_is_file();
        self.use_tree(&mut Vec::new(), &item.tree);
        self.in_pub_use = false;
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        // `mod x;` owns a file: not a use. An inline `mod x { … }` (tests) is visited as x.
        if let Some((_, items)) = &item.content {
            self.here.push(item.ident.to_string());
            for inner in items {
                self.visit_item(inner);
            }
            self.here.pop();
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.len() > 1 {
            let line = path.segments[0].ident.span().start().line;
            self.record(segments, line);
        }
        syn::visit::visit_path(self, path);
    }
}

/// A function longer than a layer allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongFunction {
    pub file: PathBuf,
    pub name: String,
    pub line: usize,
    pub lines: usize,
}

impl Graph {
    /// The functions (free or in an `impl`) in files under `module` that span more than `max`
    /// lines, attributes and doc comments not counted: handlers that do the work themselves
    /// instead of calling a service.
    pub fn long_functions(&self, module: &[String], max: usize) -> Result<Vec<LongFunction>, ReadError> {
        let mut found = Vec::new();
        for (path_of, file) in &self.files {
            if !path_of.starts_with(module) {
                continue;
            }
            let text = std::fs::read_to_string(file).map_err(|e| ReadError::Io(file.clone(), e))?;
            let parsed = syn::parse_file(&text).map_err(|e| ReadError::Parse(file.clone(), e))?;
            let mut lengths = Lengths(Vec::new());
            lengths.visit_file(&parsed);
            for (name, line, lines) in lengths.0 {
                if lines > max {
                    found.push(LongFunction {
                        file: file.clone(),
                        name,
                        line,
                        lines,
                    });
                }
            }
        }
        Ok(found)
    }
}

/// Each function's name, first line and length in lines, from its signature to its closing brace.
struct Lengths(Vec<(String, usize, usize)>);

impl Lengths {
    fn record(&mut self, sig: &syn::Signature, block: &syn::Block) {
        let start = sig.fn_token.span.start().line;
        let end = block.brace_token.span.close().end().line;
        self.0.push((sig.ident.to_string(), start, end + 1 - start));
    }
}

impl<'ast> Visit<'ast> for Lengths {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.record(&item.sig, &item.block);
        syn::visit::visit_item_fn(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.record(&item.sig, &item.block);
        syn::visit::visit_impl_item_fn(self, item);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        // Tests inside a route file are not handlers.
        let is_test = item.attrs.iter().any(|a| a.path().is_ident("cfg"));
        if !is_test {
            syn::visit::visit_item_mod(self, item);
        }
    }
}

/// Tarjan's strongly connected components over an adjacency list.
fn tarjan(next: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct State<'a> {
        next: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        counter: usize,
        components: Vec<Vec<usize>>,
    }
    fn connect(s: &mut State<'_>, v: usize) {
        s.index[v] = Some(s.counter);
        s.low[v] = s.counter;
        s.counter += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for i in 0..s.next[v].len() {
            let w = s.next[v][i];
            match s.index[w] {
                None => {
                    connect(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(w_index) if s.on_stack[w] => s.low[v] = s.low[v].min(w_index),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            s.components.push(component);
        }
    }
    let n = next.len();
    let mut state = State {
        next,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        counter: 0,
        components: Vec::new(),
    };
    for v in 0..n {
        if state.index[v].is_none() {
            connect(&mut state, v);
        }
    }
    state.components
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tarjan_finds_the_loop_and_leaves_the_tail() {
        // 0 → 1 → 2 → 0, 2 → 3.
        let components = tarjan(&[vec![1], vec![2], vec![0, 3], vec![]]);
        let mut sizes: Vec<usize> = components.iter().map(Vec::len).collect();
        sizes.sort();
        assert_eq!(sizes, [1, 3]);
    }

    #[test]
    fn module_paths_from_the_command_line() {
        assert_eq!(mod_path("store::sqlite"), ["store", "sqlite"]);
        assert_eq!(mod_path("routes"), ["routes"]);
        assert_eq!(mod_path("a/b"), ["a", "b"]);
    }
}

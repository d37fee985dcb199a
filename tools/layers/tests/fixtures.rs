//! The checks on small crates made to pass or fail, and on this workspace's own crates.

use std::path::{Path, PathBuf};

use layers::{Graph, Rules, mod_path};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .join("src")
}

fn names(edges: &[layers::Edge]) -> Vec<String> {
    let mut names: Vec<String> = edges
        .iter()
        .map(|e| {
            let short = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
            format!("{}->{}", short(&e.from), short(&e.to))
        })
        .collect();
    names.sort();
    names
}

#[test]
fn a_cycle_through_a_use_an_expression_path_and_super_is_found() {
    let graph = Graph::read(&fixture("cycle")).unwrap();
    let findings = graph.check(&Rules::default());
    assert_eq!(findings.cycles.len(), 1, "{findings:?}");
    assert_eq!(names(&findings.cycles[0]), ["a.rs->b.rs", "b.rs->c.rs", "c.rs->a.rs"]);
    assert!(!findings.is_clean());
}

#[test]
fn re_exports_mounting_and_a_leaf_with_its_own_children_are_clean() {
    let graph = Graph::read(&fixture("clean")).unwrap();
    let rules = Rules {
        leaves: vec![mod_path("config")],
        isolated: vec![mod_path("routes")],
    };
    let findings = graph.check(&rules);
    assert!(findings.is_clean(), "{findings:?}");
    // `crate::Error` is error.rs's, not lib.rs's: lib.rs only re-exports it.
    let to_error = graph.edges.iter().filter(|e| e.to.ends_with("error.rs")).count();
    assert!(to_error >= 2, "{:?}", graph.edges);
    assert!(
        !graph.edges.iter().any(|e| e.to.ends_with("lib.rs")),
        "{:?}",
        graph.edges
    );
}

#[test]
fn a_leaf_that_reaches_out_and_two_routes_that_call_each_other_are_breaches() {
    let graph = Graph::read(&fixture("breaches")).unwrap();
    let rules = Rules {
        leaves: vec![mod_path("config")],
        isolated: vec![mod_path("routes")],
    };
    let findings = graph.check(&rules);
    assert!(findings.cycles.is_empty());
    assert_eq!(names(&findings.leaf_breaches), ["mod.rs->store.rs"]);
    assert_eq!(names(&findings.isolation_breaches), ["a.rs->b.rs"]);
}

#[test]
fn the_workspace_crates_have_no_cycles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for krate in ["domain/src", "api/src", "frontend/src", "tools/layers/src"] {
        let graph = Graph::read(&root.join(krate)).unwrap();
        let findings = graph.check(&Rules::default());
        assert!(findings.cycles.is_empty(), "{krate}: {:#?}", findings.cycles);
    }
}

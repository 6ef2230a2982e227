//! The architecture document's file lists stay true: every repository path it names
//! (`crates/…`, `docs/…`) exists, and every module folder of the server it names in its layers
//! table is a real module. A renamed or removed file makes this fail until the document says so.

use std::path::Path;

fn repository() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The text between backticks, each piece once in order.
fn quoted(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

#[test]
fn every_path_the_architecture_document_names_exists() {
    let document = std::fs::read_to_string(repository().join("docs/architecture.md")).expect("docs/architecture.md");
    let named: Vec<&str> = quoted(&document)
        .into_iter()
        .filter(|q| q.starts_with("crates/") || q.starts_with("docs/"))
        .map(|q| q.split_whitespace().next().unwrap_or(q))
        .filter(|q| !q.contains('<') && !q.contains('*'))
        .collect();
    assert!(named.len() > 20, "the document names the files it talks about: {named:?}");
    let missing: Vec<&str> = named.iter().copied().filter(|p| !repository().join(p).exists()).collect();
    assert!(missing.is_empty(), "docs/architecture.md names files that do not exist: {missing:?}");
}

#[test]
fn every_server_module_the_document_names_exists() {
    let document = std::fs::read_to_string(repository().join("docs/architecture.md")).expect("docs/architecture.md");
    let src = repository().join("crates/server/src");
    let modules: Vec<&str> = quoted(&document)
        .into_iter()
        .filter(|q| (q.ends_with(".rs") || q.ends_with('/')) && !q.starts_with("crates/") && !q.contains(' '))
        .filter(|q| !q.contains('<'))
        .collect();
    assert!(modules.len() > 20, "{modules:?}");
    let missing: Vec<&str> = modules.iter().copied().filter(|m| !src.join(m).exists()).collect();
    assert!(missing.is_empty(), "docs/architecture.md names server modules that do not exist: {missing:?}");
}

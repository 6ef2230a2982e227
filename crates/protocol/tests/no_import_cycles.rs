//! The shape of the house, checked: no module of a crate imports, directly or through others,
//! a module that imports it back; and in the server, no area reaches back into an area that
//! builds on it, and nothing outside the router wiring reaches the wiring's state.
//!
//! Why a test: circles between modules grew silently (one of 45 files at its worst) while every
//! behaviour test stayed green. This reads the sources as text, the way a reviewer reads `use`
//! lines, so it needs nothing built. It lives in the lowest crate so it runs first and fast.
//!
//! What counts as an import of module `m` by file `f`: a `use` of a path starting with `crate::`,
//! `super::` or `self::`, or such a path written in the code, resolved to the deepest module
//! that exists (`crate::gateway::PosLink` is an import of `gateway`, i.e. `gateway/mod.rs`;
//! `crate::gateway::link::PosLink` of `gateway/link.rs`). `mod x;` declarations are not imports,
//! and `#[cfg(test)] mod tests` blocks are left out (tests may reach anywhere). A module's use of
//! its own descendants is not counted either, however written (`self::link::…` or `link::…`):
//! a parent declares and re-exports its children; a child reaching up (`super::…`) is counted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module: the path of names from the crate root (`["gateway", "link"]`).
type Module = Vec<String>;

/// Every crate of the workspace whose modules are checked.
const CRATES: &[&str] = &["server", "cli", "protocol", "pos-sdk", "pos-sim"];

/// The server's router wiring: the one place allowed to see every area and the state that
/// holds them all. Nothing else may import these.
const WIRING: &[&str] = &["state", "startup", "routes"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The modules of the crate whose sources are under `src`, each with its file's text.
fn modules(src: &Path) -> BTreeMap<Module, String> {
    let mut found = BTreeMap::new();
    let mut folders = vec![src.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("a source folder can be read") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).expect("under src").with_extension("");
            let mut module: Module = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if module.len() > 1 && module.first().is_some_and(|first| first == "bin") {
                continue;
            }
            if matches!(module.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).expect("a source file can be read");
            found.insert(module, without_tests_and_comments(&text));
        }
    }
    found
}

/// The text without line comments and without a trailing `#[cfg(test)] mod tests { … }`.
fn without_tests_and_comments(text: &str) -> String {
    let mut kept = String::with_capacity(text.len());
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed == "#[cfg(test)]" && lines.peek().is_some_and(|next| next.trim_start().starts_with("mod tests")) {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        let code = match line.find(" // ") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        };
        kept.push_str(code);
        kept.push('\n');
    }
    kept
}

/// The paths a `use` tree names: `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand_use_tree(tree: &str) -> Vec<String> {
    let Some(open) = tree.find('{') else {
        return vec![tree.split(" as ").next().unwrap_or(tree).to_string()];
    };
    let head = &tree[..open];
    let body = &tree[open + 1..tree.rfind('}').filter(|close| *close > open).unwrap_or(tree.len())];
    let (mut items, mut current, mut depth) = (Vec::new(), String::new(), 0);
    for c in body.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    items.push(current);
    items
        .into_iter()
        .filter(|i| !i.trim().is_empty())
        .flat_map(|i| expand_use_tree(&format!("{head}{}", i.trim())))
        .collect()
}

/// Every `crate::`/`super::`/`self::` path the text names, in `use` items or in the code.
fn named_paths(text: &str) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let item = line.trim_start();
        let item = item.strip_prefix("pub ").or_else(|| item.strip_prefix("pub(crate) ")).unwrap_or(item);
        let item = item.strip_prefix("pub(super) ").unwrap_or(item);
        let Some(tree) = item.strip_prefix("use ") else { continue };
        let mut tree = tree.to_string();
        while !tree.contains(';') {
            let Some(more) = lines.next() else { break };
            tree.push_str(more);
        }
        let tree = tree.split(';').next().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
        let tree = tree.replace(" as ", "\u{1}").replace(' ', "").replace('\u{1}', " as ");
        paths.extend(expand_use_tree(&tree));
    }
    let squeezed = text;
    let bytes = squeezed.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        for (at, _) in squeezed.match_indices(start) {
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_' || bytes[at - 1] == b':') {
                continue;
            }
            let end = squeezed[at..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(squeezed.len(), |e| at + e);
            paths.insert(squeezed[at..end].trim_end_matches(':').to_string());
        }
    }
    paths
}

/// The module a path names from `from`: the deepest existing module along it.
fn resolve(path: &str, from: &Module, known: &BTreeMap<Module, String>) -> Option<Module> {
    let mut segments = path.split("::").filter(|s| !s.is_empty()).map(|s| s.split(" as ").next().unwrap_or(s));
    let mut base: Module = match segments.next()? {
        "crate" => Vec::new(),
        "self" => from.clone(),
        "super" => from[..from.len().saturating_sub(1)].to_vec(),
        _ => return None,
    };
    let mut rest: Vec<&str> = Vec::new();
    for segment in segments {
        match segment {
            "super" if rest.is_empty() => {
                base.pop();
            }
            "self" if rest.is_empty() => {}
            name => rest.push(name),
        }
    }
    (0..=rest.len())
        .rev()
        .map(|n| [base.clone(), rest[..n].iter().map(|s| s.to_string()).collect()].concat())
        .find(|m| known.contains_key(m))
}

/// Which module imports which, for one crate.
fn import_graph(src: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let known = modules(src);
    let mut graph = BTreeMap::new();
    for (module, text) in &known {
        let imports: BTreeSet<Module> = named_paths(text)
            .iter()
            .filter_map(|path| resolve(path, module, &known))
            .filter(|target| !target.starts_with(module) && !target.is_empty())
            .collect();
        graph.insert(module.clone(), imports);
    }
    graph
}

/// The groups of more than one node that reach each other (Tarjan's strongly connected
/// components), each sorted.
fn circles<N: Ord + Clone>(graph: &BTreeMap<N, BTreeSet<N>>) -> Vec<Vec<N>> {
    struct Walk<'g, N> {
        graph: &'g BTreeMap<N, BTreeSet<N>>,
        index: BTreeMap<N, usize>,
        low: BTreeMap<N, usize>,
        stack: Vec<N>,
        found: Vec<Vec<N>>,
    }
    impl<N: Ord + Clone> Walk<'_, N> {
        fn visit(&mut self, node: &N) {
            let index = self.index.len();
            self.index.insert(node.clone(), index);
            self.low.insert(node.clone(), index);
            self.stack.push(node.clone());
            for next in self.graph.get(node).into_iter().flatten() {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node.clone(), low);
                } else if self.stack.contains(next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node.clone(), low);
                }
            }
            if self.low[node] == self.index[node] {
                let at = self.stack.iter().rposition(|n| n == node).expect("on the stack");
                let group = self.stack.split_off(at);
                if group.len() > 1 {
                    let mut group = group;
                    group.sort();
                    self.found.push(group);
                }
            }
        }
    }
    let mut walk = Walk { graph, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), found: Vec::new() };
    for node in graph.keys() {
        if !walk.index.contains_key(node) {
            walk.visit(node);
        }
    }
    walk.found
}

fn shown(group: &[Module], graph: &BTreeMap<Module, BTreeSet<Module>>) -> String {
    let name = |m: &Module| if m.is_empty() { "crate".to_string() } else { m.join("/") };
    group
        .iter()
        .map(|m| {
            let inside: Vec<String> = graph[m].iter().filter(|t| group.contains(t)).map(name).collect();
            format!("  {} → {}", name(m), inside.join(", "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn no_module_imports_a_module_that_imports_it_back_in_any_crate() {
    let mut found = Vec::new();
    for krate in CRATES {
        let graph = import_graph(&workspace().join("crates").join(krate).join("src"));
        for group in circles(&graph) {
            found.push(format!("in {krate}:\n{}", shown(&group, &graph)));
        }
    }
    assert!(
        found.is_empty(),
        "import circles (each module → the others of its circle it imports):\n{}",
        found.join("\n")
    );
}

#[test]
fn no_server_area_reaches_back_into_an_area_that_builds_on_it() {
    let graph = import_graph(&workspace().join("crates/server/src"));
    let mut areas: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    let mut why: BTreeMap<(Module, Module), String> = BTreeMap::new();
    for (module, imports) in &graph {
        let Some(area) = module.first() else { continue };
        let entry = areas.entry(vec![area.clone()]).or_default();
        for target in imports {
            if target[0] != *area {
                entry.insert(vec![target[0].clone()]);
                why.entry((vec![area.clone()], vec![target[0].clone()]))
                    .or_insert_with(|| format!("{} uses {}", module.join("/"), target.join("/")));
            }
        }
    }
    let found: Vec<String> = circles(&areas)
        .iter()
        .map(|group| {
            let edges: Vec<String> = group
                .iter()
                .flat_map(|a| {
                    group.iter().filter_map(|b| why.get(&(a.clone(), b.clone())).cloned()).collect::<Vec<_>>()
                })
                .collect();
            format!("{}: {}", group.iter().map(|a| a[0].clone()).collect::<Vec<_>>().join(" ↔ "), edges.join("; "))
        })
        .collect();
    assert!(found.is_empty(), "areas of the server in a circle:\n{}", found.join("\n"));
}

#[test]
fn only_the_router_wiring_reaches_the_wiring() {
    let graph = import_graph(&workspace().join("crates/server/src"));
    let offenders: Vec<String> = graph
        .iter()
        .filter(|(module, _)| !module.first().is_some_and(|m| WIRING.contains(&m.as_str())))
        .flat_map(|(module, imports)| {
            imports
                .iter()
                .filter(|t| WIRING.contains(&t[0].as_str()))
                .map(move |t| format!("{} uses {}", module.join("/"), t.join("/")))
        })
        .collect();
    assert!(offenders.is_empty(), "outside the router wiring ({WIRING:?}):\n{}", offenders.join("\n"));
}

#[test]
fn the_check_sees_a_back_import() {
    let known: BTreeMap<Module, String> = [
        (vec!["a".to_string()], "use crate::b::Thing;\n".to_string()),
        (vec!["b".to_string()], "fn f() { crate::a::g(); }\n".to_string()),
        (vec!["c".to_string()], "use super::{a, b::{x as y}};\n".to_string()),
    ]
    .into_iter()
    .collect();
    let mut graph = BTreeMap::new();
    for (module, text) in &known {
        let imports: BTreeSet<Module> =
            named_paths(text).iter().filter_map(|p| resolve(p, module, &known)).filter(|t| t != module).collect();
        graph.insert(module.clone(), imports);
    }
    assert_eq!(circles(&graph), vec![vec![vec!["a".to_string()], vec!["b".to_string()]]]);
    assert_eq!(graph[&vec!["c".to_string()]].len(), 2, "{graph:?}");
}

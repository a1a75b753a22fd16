//! The crate's rooms stay layered: every module of `src/` imports only modules listed before it
//! in `ROOMS` (a lower floor, or earlier on its own floor), so there is no import circle and
//! the ground floor never reaches up into a feature. `ROOMS` is the table of `lib.rs`'s
//! documentation; a new module must be placed in both.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module of `src/`, floor by floor, in an order where each imports only the
/// ones above it.
const ROOMS: &[(&str, Floor)] = &[
    ("error", Floor::Basics),
    ("text", Floor::Basics),
    ("time", Floor::Basics),
    ("model", Floor::Basics),
    ("admin_units", Floor::Basics),
    ("search_index", Floor::Index),
    ("reference", Floor::Index),
    ("clocks", Floor::Index),
    ("store", Floor::Ground),
    ("workflow", Floor::Features),
    ("holidays", Floor::Features),
    ("deadlines", Floor::Features),
    ("audit", Floor::Features),
    ("case_row", Floor::Features),
    ("users", Floor::Features),
    ("community", Floor::Features),
    ("backup", Floor::Features),
    ("numbers", Floor::Features),
    ("sanctions", Floor::Features),
    ("cases", Floor::Features),
    ("search", Floor::Features),
    ("stats", Floor::Features),
    ("hotspots", Floor::Features),
    ("catalog", Floor::Features),
    ("replica", Floor::Features),
    ("interchange", Floor::Features),
    ("alerts", Floor::Features),
    ("today", Floor::Features),
    ("fuzzing", Floor::Features),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Floor {
    /// No `Store`: errors, text folding, Vietnam time, the domain types, the admin units.
    Basics,
    /// Derived from rows over a bare connection: the search index's entries, a case's clocks
    /// (both rebuilt by migrations, which run below `Store`).
    Index,
    /// `Store`, its writer and outbox, settings, the entity-to-table map.
    Ground,
    /// What officers do, each extending `Store` in its own file.
    Features,
}

type Graph = BTreeMap<String, BTreeSet<String>>;

#[test]
fn no_module_imports_one_listed_after_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let declared = declared_modules(&lib);
    let listed: BTreeSet<String> = ROOMS.iter().map(|(m, _)| m.to_string()).collect();
    assert_eq!(
        declared, listed,
        "every module of lib.rs must have its place in ROOMS (and lib.rs's table), and only those"
    );
    let graph = module_graph(&src, &lib, &declared);
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import circle in crates/core: {}", cycle.join(" → "));
    }
    let wrong = misplaced(&graph, ROOMS);
    assert!(
        wrong.is_empty(),
        "imports against the floor order:\n{}",
        wrong.join("\n")
    );
}

/// `lib.rs`'s table of rooms is `ROOMS`, and names every public method each room adds to
/// `Store`, so that a reader finds a method's file from the table.
#[test]
fn the_crate_documentation_shows_the_rooms() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let rows: Vec<Vec<String>> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//! | "))
        .map(|l| {
            l.split(" | ")
                .map(|c| c.trim_end_matches(" |").trim().to_owned())
                .collect()
        })
        .filter(|r: &Vec<String>| r[1].starts_with('`'))
        .collect();
    let documented: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r[0].clone(), r[1].trim_matches('`').to_owned()))
        .collect();
    let expected: Vec<(String, String)> = ROOMS
        .iter()
        .map(|(m, f)| (format!("{f:?}").to_lowercase(), m.to_string()))
        .collect();
    assert_eq!(
        documented, expected,
        "lib.rs's table of rooms differs from ROOMS"
    );
    for row in &rows {
        let room = row[1].trim_matches('`');
        let listed: BTreeSet<&str> = row[3]
            .split_whitespace()
            .map(|m| m.trim_matches('`'))
            .collect();
        let file = src.join(format!("{room}.rs"));
        let files = if file.exists() {
            vec![file]
        } else {
            rust_files(&src.join(room))
        };
        for f in files {
            for m in store_methods(&std::fs::read_to_string(&f).unwrap()) {
                assert!(
                    listed.contains(m.as_str()),
                    "Store::{m} ({}) is missing from {room}'s row of lib.rs's table",
                    f.display()
                );
            }
        }
    }
}

/// The public methods of a file's `impl Store` blocks.
fn store_methods(text: &str) -> Vec<String> {
    let mut inside = false;
    let mut out = Vec::new();
    for l in text.lines() {
        if l.starts_with("impl Store {") {
            inside = true;
        } else if l == "}" {
            inside = false;
        } else if inside && let Some(rest) = l.strip_prefix("    pub fn ") {
            out.push(ident_at(rest, 0).to_owned());
        }
    }
    out
}

/// The modules `lib.rs` declares, public or not.
fn declared_modules(lib: &str) -> BTreeSet<String> {
    strip(lib)
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let rest = l.strip_prefix("pub ").unwrap_or(l);
            let rest = rest
                .strip_prefix("pub(crate) ")
                .unwrap_or(rest)
                .strip_prefix("mod ")?;
            Some(rest.trim_end_matches(';').trim().to_owned())
        })
        .collect()
}

/// Top-level module → the top-level modules its files name through `crate::` or `super::`.
fn module_graph(src: &Path, lib: &str, modules: &BTreeSet<String>) -> Graph {
    let roots = root_reexports(lib);
    let mut graph = Graph::new();
    for file in rust_files(src) {
        let rel = file.strip_prefix(src).unwrap();
        let mut path: Vec<String> = rel
            .with_extension("")
            .iter()
            .map(|c| c.to_string_lossy().into_owned())
            .collect();
        if path.last().is_some_and(|l| l == "mod") {
            path.pop();
        }
        if path == ["lib"] {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let room = path[0].clone();
        let refs = references(&strip(&text), &path, modules, &roots);
        let edges = graph.entry(room.clone()).or_default();
        edges.extend(refs.into_iter().filter(|r| *r != room));
    }
    graph
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// What the crate root re-exports (`pub use store::{Store, …}`, `pub use model::*`), so that
/// `crate::Store` counts as naming `store`. Names from other crates map to nothing.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for stmt in strip(lib).split(';') {
        let Some(rest) = stmt.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, names)) = rest.split_once("::") else {
            continue;
        };
        let names = names.trim_matches(|c| c == '{' || c == '}' || char::is_whitespace(c));
        for n in names.split(',') {
            map.insert(n.trim().to_owned(), module.trim().to_owned());
        }
    }
    map
}

/// The top-level modules named in a file's code. `path` is the file's module path (`["store",
/// "open"]`); inline modules (`mod tests { … }`) are followed so that `super::` resolves.
fn references(
    code: &str,
    path: &[String],
    modules: &BTreeSet<String>,
    roots: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    let resolve_root = |name: &str| -> Option<String> {
        if modules.contains(name) {
            return Some(name.to_owned());
        }
        // `crate::Actor` and the like come from the glob re-export (`pub use model::*`);
        // `crate::Change` from another crate's.
        let m = roots.get(name).or_else(|| roots.get("*"))?;
        modules.contains(m).then(|| m.clone())
    };
    let mut out = BTreeSet::new();
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'{' {
            depth += 1;
            i += 1;
            continue;
        }
        if c == b'}' {
            depth = depth.saturating_sub(1);
            if inline.last().is_some_and(|(_, d)| *d == depth) {
                inline.pop();
            }
            i += 1;
            continue;
        }
        let at_word = i == 0 || !is_ident(bytes[i - 1]);
        if !at_word || !is_ident(c) {
            i += 1;
            continue;
        }
        let word = ident_at(code, i);
        let after = i + word.len();
        if word == "mod" {
            let rest = code[after..].trim_start();
            let name = ident_at(rest, 0);
            if rest[name.len()..].trim_start().starts_with('{') {
                inline.push((name.to_owned(), depth));
            }
            i = after;
            continue;
        }
        // `pub(crate)`, `pub(super)` and the like name no module.
        if !(word == "crate" || word == "super") || !code[after..].starts_with("::") {
            i = after;
            continue;
        }
        // Where the path starts: the crate root, or some module up from here.
        let mut here: Vec<String> = path.to_vec();
        here.extend(inline.iter().map(|(n, _)| n.clone()));
        let mut j = i;
        if word == "crate" {
            here.clear();
            j = after + 2;
        } else {
            while code[j..].starts_with("super::") {
                here.pop();
                j += "super::".len();
            }
        }
        let mut firsts: Vec<String> = Vec::new();
        if code[j..].starts_with('{') {
            // `use crate::{a::X, b};`: each item's first segment.
            let end = matching_brace(code, j);
            let inner = &code[j + 1..end];
            let mut level = 0;
            let mut start = 0;
            for (k, ch) in inner.char_indices().chain([(inner.len(), ',')]) {
                match ch {
                    '{' => level += 1,
                    '}' => level -= 1,
                    ',' if level == 0 => {
                        let item = inner[start..k].trim();
                        let first = ident_at(item, 0);
                        if !first.is_empty() {
                            firsts.push(first.to_owned());
                        }
                        start = k + 1;
                    }
                    _ => {}
                }
            }
        } else {
            // Empty for a glob (`super::*`).
            firsts.push(ident_at(code, j).to_owned());
        }
        for first in firsts {
            let target = match here.first() {
                Some(top) => Some(top.clone()),
                None if first.is_empty() || first == "self" => None,
                None => resolve_root(&first),
            };
            out.extend(target);
        }
        i = j.max(after);
    }
    out
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn ident_at(s: &str, i: usize) -> &str {
    let end = s[i..]
        .bytes()
        .position(|b| !is_ident(b))
        .map_or(s.len(), |n| i + n);
    &s[i..end]
}

fn matching_brace(s: &str, open: usize) -> usize {
    let mut level = 0;
    for (k, ch) in s[open..].char_indices() {
        match ch {
            '{' => level += 1,
            '}' => {
                level -= 1;
                if level == 0 {
                    return open + k;
                }
            }
            _ => {}
        }
    }
    s.len()
}

/// The code without comments, string literals and character literals, whose text (braces in
/// a `format!` string, `crate::` in a doc comment) is not code.
fn strip(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &src[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            i += rest.find("*/").map_or(rest.len(), |n| n + 2);
        } else if let Some(hashes) = raw_string_start(rest) {
            let close = format!("\"{}", "#".repeat(hashes));
            let body = hashes + 2;
            i += rest[body..]
                .find(&close)
                .map_or(rest.len(), |n| body + n + close.len());
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            let mut k = i + 1;
            while k < b.len() && b[k] != b'"' {
                k += if b[k] == b'\\' { 2 } else { 1 };
            }
            i = k + 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && char_literal_len(rest).is_some() {
            i += char_literal_len(rest).unwrap_or(1);
            out.push_str("' '");
        } else {
            let ch = rest.chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// `r"…"` or `r#"…"#` (also `br…`): the number of `#`.
fn raw_string_start(s: &str) -> Option<usize> {
    let s = s.strip_prefix('b').unwrap_or(s);
    let s = s.strip_prefix('r')?;
    let hashes = s.bytes().take_while(|b| *b == b'#').count();
    s[hashes..].starts_with('"').then_some(hashes)
}

/// The length of a character literal starting here, or None for a lifetime (`'a`).
fn char_literal_len(s: &str) -> Option<usize> {
    let mut it = s.char_indices().skip(1);
    let (_, c) = it.next()?;
    if c == '\\' {
        let end = s.get(3..)?.find('\'')?;
        return Some(end + 4);
    }
    let (k, close) = it.next()?;
    (close == '\'').then_some(k + 1)
}

/// One circle of imports, if the graph has any, as the modules along it (first repeated last).
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        n: &str,
        graph: &Graph,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(n) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = stack.iter().position(|s| s == n).unwrap_or(0);
                let mut cycle = stack[from..].to_vec();
                cycle.push(n.to_owned());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(n.to_owned(), Mark::Open);
        stack.push(n.to_owned());
        for next in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(next, graph, marks, stack) {
                return Some(c);
            }
        }
        stack.pop();
        marks.insert(n.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut marks, &mut Vec::new()))
}

/// Each import of a module listed at or after the importer, with both floors.
fn misplaced(graph: &Graph, rooms: &[(&str, Floor)]) -> Vec<String> {
    let place = |m: &str| rooms.iter().position(|(r, _)| *r == m);
    let mut out = Vec::new();
    for (from, tos) in graph {
        for to in tos {
            match (place(from), place(to)) {
                (Some(f), Some(t)) if t < f => {}
                (Some(f), Some(t)) => out.push(format!(
                    "  {from} ({:?}) imports {to} ({:?}), listed after it",
                    rooms[f].1, rooms[t].1
                )),
                _ => out.push(format!("  {from} imports {to}: not in ROOMS")),
            }
        }
    }
    out
}

fn graph_of(edges: &[(&str, &str)]) -> Graph {
    let mut g = Graph::new();
    for (a, b) in edges {
        g.entry(a.to_string()).or_default().insert(b.to_string());
        g.entry(b.to_string()).or_default();
    }
    g
}

#[test]
fn a_circle_is_found_and_named() {
    let g = graph_of(&[
        ("store", "search_index"),
        ("cases", "store"),
        ("replica", "cases"),
    ]);
    assert_eq!(find_cycle(&g), None);
    let g = graph_of(&[
        ("store", "search_index"),
        ("cases", "store"),
        ("store", "replica"),
        ("replica", "cases"),
    ]);
    assert_eq!(
        find_cycle(&g).unwrap(),
        ["cases", "store", "replica", "cases"]
    );
}

#[test]
fn the_ground_floor_reaching_up_is_refused() {
    let rooms = [
        ("time", Floor::Basics),
        ("store", Floor::Ground),
        ("audit", Floor::Features),
    ];
    assert!(misplaced(&graph_of(&[("audit", "store"), ("store", "time")]), &rooms).is_empty());
    let wrong = misplaced(&graph_of(&[("store", "audit")]), &rooms);
    assert_eq!(
        wrong,
        ["  store (Ground) imports audit (Features), listed after it"]
    );
}

#[test]
fn references_are_read_from_every_form_of_path() {
    let roots = root_reexports(
        "pub use error::{Error, Result};\npub use model::*;\npub use tinbao_sync::{Change};",
    );
    let code = strip(
        r#"//! See crate::backup for why.
use crate::{error::Result, model::Scope};
use crate::store::{Store, Writer};
use super::outbox::Writer;
fn f() -> crate::Result<()> {
    let s = "crate::stats::{";
    let c = '{';
    crate::deadlines::compute(&x);
    let _: crate::Actor;
    let _: crate::Change;
}
mod tests {
    use super::*;
    use super::super::super::replica::X;
}
"#,
    );
    let modules: BTreeSet<String> = [
        "error",
        "model",
        "text",
        "store",
        "deadlines",
        "replica",
        "cases",
        "backup",
        "stats",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let path = ["store".to_string(), "open".to_string()];
    let found = references(&code, &path, &modules, &roots);
    let want: BTreeSet<String> = ["error", "model", "store", "deadlines", "replica"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(found, want);
    // In a top-level file, `super::` of its `mod tests` is the file itself.
    let found = references(
        &strip("mod tests { use super::*; }\nuse super::text::fold;"),
        &["cases".to_string()],
        &modules,
        &roots,
    );
    assert_eq!(
        found,
        ["cases", "text"].into_iter().map(str::to_owned).collect()
    );
}

//! The domain's folders are its layers, in the order `LAYERS` gives: each module (a file or a
//! folder inside a layer's folder) uses only its own layer and the ones above, and no two
//! modules of one layer use each other, even through others. So there is no cycle, and a
//! newcomer reads the crate from the top.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, from the top: `lib.rs` declares exactly these folders.
const LAYERS: [&str; 7] = [
    "base", "records", "limits", "sign_in", "flows", "company", "operator",
];

/// A module: its layer's folder and its name in it.
type Module = (String, String);

/// The modules `source` names through `crate::` (as `layer::module`), its tests left out.
fn uses(source: &str) -> BTreeSet<Module> {
    let code = source
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or(source);
    let code: String = code
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut used = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let mut paths = Vec::new();
        let mut reader = Reader(&code[at + "crate::".len()..]);
        reader.tree(Vec::new(), &mut paths);
        for path in paths {
            if let [layer, module, ..] = &path[..] {
                used.insert((layer.clone(), module.clone()));
            }
        }
    }
    used
}

/// Reads a use tree (or a path) from the start of its text.
struct Reader<'a>(&'a str);

impl Reader<'_> {
    fn eat(&mut self, token: &str) -> bool {
        self.0 = self.0.trim_start();
        let found = self.0.starts_with(token);
        if found {
            self.0 = &self.0[token.len()..];
        }
        found
    }

    fn ident(&mut self) -> String {
        self.0 = self.0.trim_start();
        let ident: String = self
            .0
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        self.0 = &self.0[ident.len()..];
        ident
    }

    /// The paths the tree names after `prefix` (`a::{b, c::{d as e}}`: `a::b`, `a::c::d`).
    fn tree(&mut self, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        let mut path = prefix;
        loop {
            if self.eat("{") {
                while !self.eat("}") && !self.0.is_empty() {
                    let before = self.0.len();
                    self.tree(path.clone(), out);
                    self.eat(",");
                    if self.0.len() == before {
                        self.0 = &self.0[self.0.chars().next().map_or(0, char::len_utf8)..];
                    }
                }
                return;
            }
            let ident = self.ident();
            if !ident.is_empty() {
                path.push(ident);
                if self.eat("::") {
                    continue;
                }
                if self.eat("as ") {
                    self.ident();
                }
            }
            out.push(path);
            return;
        }
    }
}

/// What breaks the layering among `files` (paths relative to `src`, with their source): uses
/// of a layer below, cycles within a layer.
fn problems(files: &[(String, String)]) -> Vec<String> {
    let rank = |layer: &str| LAYERS.iter().position(|l| *l == layer);
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    let mut problems = Vec::new();
    for (path, source) in files {
        let parts: Vec<&str> = path.split('/').collect();
        let [layer, name, ..] = parts[..] else {
            continue; // lib.rs, and the conformance suite (a feature for the adapters' tests)
        };
        if rank(layer).is_none() {
            continue;
        }
        let module = (layer.to_string(), name.trim_end_matches(".rs").to_string());
        if module.1 == "mod" {
            continue; // a layer's list of its modules
        }
        for used in uses(source) {
            match rank(&used.0) {
                None => problems.push(format!("{path} uses {used:?}, in no layer")),
                Some(r) if r > rank(layer).unwrap() => problems.push(format!(
                    "{path} ({layer}) uses {}::{}, a layer below",
                    used.0, used.1
                )),
                Some(_) if used.0 == module.0 && used != module => {
                    edges.entry(module.clone()).or_default().insert(used);
                }
                Some(_) => {}
            }
        }
    }
    // Within a layer: no cycle (a depth-first walk finds no module on its own path).
    fn walk(
        module: &Module,
        edges: &BTreeMap<Module, BTreeSet<Module>>,
        path: &mut Vec<Module>,
        done: &mut BTreeSet<Module>,
        problems: &mut Vec<String>,
    ) {
        if let Some(at) = path.iter().position(|m| m == module) {
            problems.push(format!("a cycle in {}: {:?}", module.0, &path[at..]));
            return;
        }
        if !done.insert(module.clone()) {
            return;
        }
        path.push(module.clone());
        for next in edges.get(module).into_iter().flatten() {
            walk(next, edges, path, done, problems);
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for module in edges.keys() {
        walk(module, &edges, &mut Vec::new(), &mut done, &mut problems);
    }
    problems
}

fn sources(src: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(src, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(src).unwrap().to_string_lossy();
            out.push((
                relative.replace('\\', "/"),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
}

#[test]
fn every_module_uses_only_its_layer_and_the_ones_above_and_no_two_use_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &src, &mut files);
    let folders: BTreeSet<&str> = files
        .iter()
        .filter_map(|(path, _)| path.split_once('/').map(|(folder, _)| folder))
        .collect();
    assert_eq!(folders, LAYERS.into(), "every folder of src/ is a layer");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    for layer in LAYERS {
        assert!(
            lib.contains(&format!("pub mod {layer};")),
            "lib.rs declares {layer}"
        );
    }
    assert!(files.len() > 40, "{} files", files.len());
    let problems = problems(&files);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn a_use_of_a_layer_below_and_a_cycle_within_a_layer_are_found() {
    let file = |path: &str, source: &str| (path.to_string(), source.to_string());
    let fine = [
        file("records/accounts.rs", "use crate::base::clock::Timestamp;"),
        file("flows/codes.rs", "use crate::{records::accounts, Error};"),
        file(
            "flows/recovery/steps.rs",
            "fn f() { crate::flows::codes::check(); }",
        ),
    ];
    assert_eq!(problems(&fine), Vec::<String>::new());

    let below = [file(
        "records/accounts.rs",
        "use crate::base::{clock, keys::{self, purpose}};\nuse crate::flows::codes::Code;",
    )];
    assert_eq!(
        problems(&below),
        ["records/accounts.rs (records) uses flows::codes, a layer below"]
    );
    let grouped = [file(
        "base/keys.rs",
        "use crate::{base::clock, limits::audit};",
    )];
    assert_eq!(problems(&grouped).len(), 1, "{:?}", problems(&grouped));

    let cycle = [
        file("company/members.rs", "use crate::company::invitations;"),
        file("company/invitations.rs", "use crate::company::units::Unit;"),
        file(
            "company/units.rs",
            "fn f() { crate::company::members::x(); }",
        ),
    ];
    let found = problems(&cycle);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("a cycle in company"), "{found:?}");
}

#[test]
fn uses_are_read_from_paths_and_use_groups() {
    let used = uses(
        "use crate::{base::{clock, keys::K}, flows::codes::{self, C}, Error};\n\
         fn f() { crate::records::accounts::g(); } // crate::operator::z\n\
         #[cfg(test)]\nmod tests { use crate::company::y; }",
    );
    let expected: BTreeSet<Module> = [
        ("base", "clock"),
        ("base", "keys"),
        ("flows", "codes"),
        ("records", "accounts"),
    ]
    .map(|(l, m)| (l.to_string(), m.to_string()))
    .into();
    assert_eq!(used, expected);
}

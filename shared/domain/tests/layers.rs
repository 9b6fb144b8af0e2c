//! The domain's modules stand in the layers `lib.rs` lists them in (groups of `pub mod`
//! lines), and each uses only its own layer and the ones above: so there is no cycle between
//! modules, and a newcomer can read the crate from the top.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module's layer: the number of its group of `pub mod` lines in `lib.rs`.
fn layers(lib: &str) -> BTreeMap<String, usize> {
    let mut layers = BTreeMap::new();
    let mut layer = 0;
    let mut in_group = false;
    for line in lib.lines() {
        match line
            .strip_prefix("pub mod ")
            .and_then(|m| m.strip_suffix(';'))
        {
            Some(module) => {
                layers.insert(module.to_string(), layer);
                in_group = true;
            }
            None if in_group => {
                layer += 1;
                in_group = false;
            }
            None => {}
        }
    }
    layers
}

/// The top-level modules `source` names through `crate::`, its tests left out.
fn uses(source: &str) -> BTreeSet<String> {
    let code = source
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or(source);
    let code: String = code
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |text: &str| -> String {
        text.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut used = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a, b::c, d::{e, f}}`: the names at the group's top level.
            let mut depth = 0;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && depth == 0 && !c.is_whitespace() => {
                        used.insert(ident(&group[i..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            used.insert(ident(rest));
        }
    }
    used
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_uses_only_its_layer_and_the_ones_above_and_no_two_use_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let layers = layers(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    assert!(
        layers.len() > 30 && layers.values().max() > Some(&4),
        "{layers:?}"
    );
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut upward = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let module = relative.iter().next().unwrap().to_string_lossy();
        let module = module.trim_end_matches(".rs").to_string();
        let Some(&layer) = layers.get(&module) else {
            continue; // lib.rs, and the conformance suite (a feature for the adapters' tests)
        };
        for used in uses(&std::fs::read_to_string(&file).unwrap()) {
            match layers.get(&used) {
                Some(&used_layer) if used != module => {
                    if used_layer > layer {
                        upward.push(format!("{} ({module}) uses {used}", relative.display()));
                    }
                    edges.entry(module.clone()).or_default().insert(used);
                }
                _ => {}
            }
        }
    }
    assert!(upward.is_empty(), "uses of a layer below: {upward:#?}");
    // Within a layer: no cycle (a depth-first walk finds no module on its own path).
    fn walk(
        module: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if let Some(at) = path.iter().position(|m| m == module) {
            panic!("a cycle: {:?}", &path[at..]);
        }
        if !done.insert(module.to_string()) {
            return;
        }
        path.push(module.to_string());
        for next in edges.get(module).into_iter().flatten() {
            walk(next, edges, path, done);
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for module in layers.keys() {
        walk(module, &edges, &mut Vec::new(), &mut done);
    }
}

#[test]
fn uses_are_read_from_paths_and_use_groups() {
    let used = uses("use crate::{a, b::{c, d}, e::F};\nfn f() { crate::g::h(); } // crate::z\n#[cfg(test)]\nmod tests { use crate::y; }");
    assert_eq!(used, ["a", "b", "e", "g"].map(String::from).into());
}

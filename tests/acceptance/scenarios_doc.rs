//! `docs/scenarios.md` explains every scenario ID that a test's name carries, and every ID it
//! lists has a test.

use std::collections::BTreeSet;
use std::path::Path;

/// The IDs at the start of a test's name: `n4_n5_...` carries N4 and N5.
fn ids_of(name: &str) -> Vec<String> {
    name.split('_')
        .map_while(|part| {
            let mut chars = part.chars();
            let letter = chars.next().filter(|c| "cmnrtwx".contains(*c))?;
            let digits: String = chars.collect();
            (!digits.is_empty() && digits.len() <= 2 && digits.chars().all(|c| c.is_ascii_digit()))
                .then(|| format!("{}{digits}", letter.to_ascii_uppercase()))
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_scenario_id_a_test_carries_is_explained_and_every_explained_id_has_a_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["tests", "functions", "shared"] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut tested = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines() {
            let Some(rest) = line.trim_start().split("fn ").nth(1) else {
                continue;
            };
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            tested.extend(ids_of(&name));
        }
    }
    let doc = std::fs::read_to_string(root.join("docs/scenarios.md")).unwrap();
    let explained: BTreeSet<String> = doc
        .lines()
        .filter_map(|line| line.strip_prefix("- **")?.split("**").next())
        .map(str::to_string)
        .collect();
    assert!(tested.len() >= 40, "the test names carry IDs: {tested:?}");
    let unexplained: Vec<_> = tested.difference(&explained).collect();
    assert!(
        unexplained.is_empty(),
        "not in docs/scenarios.md: {unexplained:?}"
    );
    let untested: Vec<_> = explained.difference(&tested).collect();
    assert!(untested.is_empty(), "no test carries: {untested:?}");
}

#[test]
fn ids_are_read_from_the_start_of_a_name_only() {
    assert_eq!(ids_of("n4_n5_an_administrator_invites"), ["N4", "N5"]);
    assert_eq!(ids_of("w10_deletion"), ["W10"]);
    assert!(ids_of("a_step_answers_503").is_empty());
    assert!(ids_of("sends_x5_later").is_empty());
    assert_eq!(ids_of("m6_m8_an_administrator"), ["M6", "M8"]);
}

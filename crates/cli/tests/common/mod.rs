//! Running the built `gradscape` command from the integration tests.

use std::process::{Command, Output};

pub fn gradscape(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gradscape"))
        .args(args)
        .output()
        .expect("the binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A command line as a person types it, split at spaces: `words("trajectory --steps 30")`.
pub fn words(line: &'static str) -> Vec<&'static str> {
    line.split_whitespace().collect()
}

/// Runs a command that must succeed and returns its stdout.
#[allow(dead_code)] // not every test file uses every helper
pub fn ok(args: &[&str]) -> String {
    let out = gradscape(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// Runs a command that must succeed and reads its stdout as JSON.
#[allow(dead_code)]
pub fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(args)).expect("the output is JSON")
}

/// An SVG document whose tags open and close in order.
#[allow(dead_code)]
pub fn assert_well_formed(svg: &str) {
    assert!(svg.trim_start().starts_with("<svg"), "{svg}");
    assert!(svg.trim_end().ends_with("</svg>"));
    let mut open: Vec<&str> = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("a tag closes") + start;
        let tag = &rest[start + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop(), Some(name.trim()), "unbalanced </{name}>");
        } else if !tag.ends_with('/') && !tag.starts_with('?') && !tag.starts_with('!') {
            open.push(tag.split_whitespace().next().expect("a tag has a name"));
        }
        rest = &rest[end + 1..];
    }
    assert!(open.is_empty(), "unclosed {open:?}");
}

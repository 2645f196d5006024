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

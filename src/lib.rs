//! redis-ha: render, lint, diff and package a highly-available Redis deployment for
//! Kubernetes, offline and deterministically, from one binary that carries its chart.
//!
//! The pipeline, in order:
//!
//! 1. [`values`]: read the layers (chart defaults, preset, `-f` files, `--set` family) and
//!    merge them in Helm's order; every value remembers where it was set.
//! 2. [`schema`]: validate the merged values against the chart's `values.schema.json`.
//! 3. [`chart`]: the chart itself: bundled, a directory or a `.tgz`.
//! 4. [`render`]: the minijinja environment, Helm's objects and helpers.
//! 5. [`manifest`]: split into documents, sorted in Helm's install order.
//! 6. [`lint`], [`diff`], [`package`]: the jobs built on the rendered release.
//!
//! [`secrets`] is the one policy on what is secret, used by every step and every error;
//! [`topology`] the one reading of what a release deploys; [`acl`] the one reading of Redis ACL
//! rules; [`quantity`] the one type of sizes.
//!
//! [`release`] chains steps 1–5; [`commands`] and [`cli`] are the command-line layer.

pub mod acl;
pub mod chart;
pub mod cli;
pub mod commands;
pub mod diff;
pub mod import;
pub mod input;
pub mod lint;
pub mod manifest;
pub mod model;
pub mod package;
pub mod quantity;
pub mod redis_conf;
pub mod registry;
pub mod release;
pub mod render;
pub mod schema;
pub mod secrets;
pub mod topology;
pub mod values;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser as _;

/// Runs the command line and turns its result into an exit code: 0 clean, 1 findings or
/// changes, 2 errors (a broken pipe is not an error).
pub fn run() -> ExitCode {
    let cli = cli::Cli::parse();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = commands::run(cli, &mut out).and_then(|outcome| {
        out.flush()?;
        Ok(outcome)
    });
    match result {
        Ok(commands::Outcome::Clean) => ExitCode::SUCCESS,
        Ok(commands::Outcome::Findings) => ExitCode::from(1),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "{}", report(&err));
            ExitCode::from(2)
        }
    }
}

/// An error as the user reads it: `error:` and the message, a `Caused by:` line per cause
/// (no message repeats its source: each error of the chain says only its own part), then
/// every `hint:` of the chain, last, where the eye ends.
fn report(err: &anyhow::Error) -> String {
    const HINT: &str = "  hint: ";
    let mut out = String::new();
    let mut hints = Vec::new();
    for (index, cause) in err.chain().enumerate() {
        let text = cause.to_string();
        let mut message = Vec::new();
        // Several errors in one (every schema violation): each keeps its hints.
        let several = text.contains("\nerror: ");
        for line in text.lines() {
            match line.strip_prefix(HINT).filter(|_| !several) {
                Some(hint) => hints.push(hint.to_owned()),
                None => message.push(line),
            }
        }
        let label = if index == 0 {
            "error: "
        } else {
            "\n  Caused by: "
        };
        out.push_str(label);
        out.push_str(&message.join("\n"));
    }
    for hint in hints {
        out.push('\n');
        out.push_str(HINT);
        out.push_str(&hint);
    }
    out
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

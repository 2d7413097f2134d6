//! One file per command; each turns its clap arguments into the domain's settings, runs the
//! pipeline and prints. Errors are `anyhow` with context; the exit code is decided here.

pub mod completion;
pub mod diff;
pub mod lint;
pub mod man;
pub mod package;
pub mod render;
pub mod schema;
pub mod values;

use std::io::Write;

use crate::cli::{Cli, Command};

/// How a command that did not fail ended: exit 0 or 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report.
    Clean,
    /// Lint findings or diff changes.
    Findings,
}

pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Render(args) => render::run(&args, out),
        Command::Values(args) => values::run(&args, out),
        Command::Schema => schema::run(out),
        Command::Lint(args) => lint::run(&args, out),
        Command::Diff(args) => diff::run(&args, out),
        Command::Package(args) => package::run(&args, out),
        Command::Completion(args) => completion::run(&args, out),
        Command::Man(args) => man::run(&args, out),
    }
}

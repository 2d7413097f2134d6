//! `redis-ha completion SHELL`: the shell completion script, generated from the clap
//! definitions so that it never falls behind the flags.

use std::io::Write;

use clap::CommandFactory as _;

use super::Outcome;
use crate::cli::{Cli, CompletionArgs};

pub fn run(args: &CompletionArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let CompletionArgs { shell } = args;
    let mut command = Cli::command();
    clap_complete::generate(*shell, &mut command, "redis-ha", out);
    Ok(Outcome::Clean)
}

//! `redis-ha lint`: not built yet (see its issue).

use std::io::Write;

use super::Outcome;
use crate::cli::LintArgs;

pub fn run(_args: &LintArgs, _out: &mut dyn Write) -> anyhow::Result<Outcome> {
    anyhow::bail!("`redis-ha lint` is not available in this build yet")
}

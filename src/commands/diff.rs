//! `redis-ha diff`: not built yet (see its issue).

use std::io::Write;

use super::Outcome;
use crate::cli::DiffArgs;

pub fn run(_args: &DiffArgs, _out: &mut dyn Write) -> anyhow::Result<Outcome> {
    anyhow::bail!("`redis-ha diff` is not available in this build yet")
}

//! `redis-ha package`: not built yet (see its issue).

use std::io::Write;

use super::Outcome;
use crate::cli::PackageArgs;

pub fn run(_args: &PackageArgs, _out: &mut dyn Write) -> anyhow::Result<Outcome> {
    anyhow::bail!("`redis-ha package` is not available in this build yet")
}

//! `redis-ha man [COMMAND]`: a man page in roff, generated from the clap definitions like the
//! completions, so that it documents exactly the flags the binary takes.

use std::io::Write;

use clap::CommandFactory as _;

use super::Outcome;
use crate::cli::{Cli, ManArgs};

pub fn run(args: &ManArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let ManArgs { command } = args;
    let root = Cli::command();
    let page = match command {
        None => root,
        Some(name) => {
            let Some(sub) = root.find_subcommand(name) else {
                let names: Vec<String> = root
                    .get_subcommands()
                    .map(|c| format!("`{}`", c.get_name()))
                    .collect();
                anyhow::bail!(
                    "no command `{name}`\n  hint: the commands are {}",
                    names.join(", ")
                );
            };
            // The page of `render` is named `redis-ha-render`, as git's and cargo's are.
            sub.clone()
                .display_name(format!("redis-ha-{}", sub.get_name()))
                .bin_name(format!("redis-ha {}", sub.get_name()))
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    clap_mangen::Man::new(page).render(out)?;
    Ok(Outcome::Clean)
}

//! `redis-ha package`: renders the release and writes it as a Helm chart archive (or, with
//! `--unpacked`, a chart directory).

use std::io::Write;

use anyhow::Context as _;

use super::Outcome;
use crate::cli::PackageArgs;
use crate::package::{self, Request, archive::DEFAULT_MTIME};
use crate::release::{self, Pipeline};

pub fn run(args: &PackageArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let PackageArgs {
        release: release_args,
        values,
        version,
        app_version,
        destination,
        unpacked,
        include_secrets,
    } = args;
    let chart = release::load_chart(values.chart.as_deref())?;
    let sources = values.sources();
    let options = release_args.options();
    let pipeline = Pipeline::new(&chart);
    let release = pipeline.release(&sources, &options)?.checked()?;
    let mtime = source_date_epoch(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref())?;
    let package = package::build(&Request {
        pipeline: &pipeline,
        chart_path: values.chart.as_deref(),
        sources: &sources,
        release: &release,
        options: &options,
        version: version.as_deref(),
        app_version: app_version.as_deref(),
        include_secrets: *include_secrets,
    })?;
    let path = if *unpacked {
        package::write_unpacked(destination, &package, values.chart.as_deref())?
    } else {
        package::write_archive(destination, &package, mtime, values.chart.as_deref())?
    };
    writeln!(out, "wrote {}", path.display())?;
    for name in &package.left_out {
        writeln!(
            out,
            "note: left out {name}: create it before installing, or pass `--include-secrets` (see the chart's README.md)"
        )?;
    }
    Ok(Outcome::Clean)
}

/// The latest mtime a tar header holds (eleven octal digits): the year 2242.
const MAX_MTIME: u64 = 0o777_7777_7777;

/// The mtime of the archive's entries: `SOURCE_DATE_EPOCH` (reproducible-builds.org) when
/// set, else a fixed date.
fn source_date_epoch(value: Option<&str>) -> anyhow::Result<u64> {
    match value.map(str::trim) {
        None | Some("") => Ok(DEFAULT_MTIME),
        Some(text) => {
            let mtime: u64 = text.parse().with_context(|| {
                format!(
                    "invalid `SOURCE_DATE_EPOCH` `{text}`: expected seconds since 1970-01-01 UTC"
                )
            })?;
            anyhow::ensure!(
                mtime <= MAX_MTIME,
                "invalid `SOURCE_DATE_EPOCH` `{text}`: a tar header holds at most {MAX_MTIME}\n  hint: unset it, or set a date before the year 2242"
            );
            Ok(mtime)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs() {
        assert_eq!(source_date_epoch(None).unwrap(), DEFAULT_MTIME);
        assert_eq!(source_date_epoch(Some("")).unwrap(), DEFAULT_MTIME);
        assert_eq!(
            source_date_epoch(Some("1700000000")).unwrap(),
            1_700_000_000
        );
        assert_eq!(source_date_epoch(Some("8589934591")).unwrap(), MAX_MTIME);
        assert!(source_date_epoch(Some("8589934592")).is_err());
        assert!(source_date_epoch(Some("-1")).is_err());
        assert!(source_date_epoch(Some("yesterday")).is_err());
    }
}

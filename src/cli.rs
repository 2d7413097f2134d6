//! The command line: every clap definition lives here and nowhere else.
//!
//! Commands in [`crate::commands`] turn these into the domain's own settings (destructuring
//! every field, so a new flag cannot be forgotten); no clap type goes below that layer.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::render::{KubeVersion, ReleaseOptions};
use crate::values::ValueSources;

#[derive(Debug, Parser)]
#[command(
    name = "redis-ha",
    version,
    about = "Render, lint, diff and package highly-available Redis (Sentinel) for Kubernetes",
    long_about = None,
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render the chart's manifests, as `helm template` prints them
    Render(RenderArgs),
    /// Print the effective values, optionally with where each was set
    Values(ValuesArgs),
    /// Print the JSON schema of the bundled chart's values
    Schema,
    /// Check values and manifests for HA, security and wiring problems
    Lint(LintArgs),
    /// Show what an upgrade changes and what would break
    Diff(DiffArgs),
    /// Write a Helm chart archive of the rendered manifests
    Package(PackageArgs),
    /// Print a shell completion script (`source <(redis-ha completion bash)`)
    Completion(CompletionArgs),
    /// Print a man page (`redis-ha man render | man -l -`)
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command to document (render, lint, ...); the whole tool when omitted
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Where values come from, in Helm's order of precedence (lowest first).
#[derive(Debug, Clone, Args)]
pub struct ValueArgs {
    /// Render this chart (a directory or a .tgz) instead of the bundled one
    #[arg(long, value_name = "DIR|TGZ")]
    pub chart: Option<PathBuf>,
    /// Start from a bundled preset: values/values-NAME.yaml (dev, staging, production)
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Values file(s), in order; `-` reads standard input (repeatable, comma-separated)
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<String>,
    /// Set values as JSON: key=JSON (repeatable)
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    pub set_json: Vec<String>,
    /// Set values: key=value, types inferred (repeatable, comma-separated)
    #[arg(long = "set", value_name = "KEY=VAL")]
    pub set: Vec<String>,
    /// Set string values: key=value, no type inference (repeatable)
    #[arg(long = "set-string", value_name = "KEY=VAL")]
    pub set_string: Vec<String>,
    /// Set values from files: key=path (repeatable)
    #[arg(long = "set-file", value_name = "KEY=PATH")]
    pub set_file: Vec<String>,
    /// Set a literal string value: key=value, taken verbatim (repeatable)
    #[arg(long = "set-literal", value_name = "KEY=VAL")]
    pub set_literal: Vec<String>,
}

impl ValueArgs {
    pub fn sources(&self) -> ValueSources {
        let ValueArgs {
            chart: _,
            env,
            values,
            set_json,
            set,
            set_string,
            set_file,
            set_literal,
        } = self.clone();
        ValueSources {
            env,
            files: values,
            set_json,
            set,
            set_string,
            set_file,
            set_literal,
        }
    }
}

/// What `helm template` takes besides values.
#[derive(Debug, Clone, Args)]
pub struct ReleaseArgs {
    /// Release name (at most 53 characters, DNS-1123)
    #[arg(value_name = "RELEASE", default_value = "redis-ha")]
    pub release: String,
    /// Namespace of the release
    #[arg(short = 'n', long, default_value = "default")]
    pub namespace: String,
    /// Kubernetes version for Capabilities.KubeVersion
    #[arg(long, value_name = "VERSION", default_value = "v1.33.0")]
    pub kube_version: KubeVersion,
    /// Extra API versions for Capabilities.APIVersions (repeatable)
    #[arg(short = 'a', long = "api-versions", value_name = "GROUP/VERSION")]
    pub api_versions: Vec<String>,
    /// Set Release.IsUpgrade instead of Release.IsInstall
    #[arg(long)]
    pub is_upgrade: bool,
}

impl ReleaseArgs {
    pub fn options(&self) -> ReleaseOptions {
        let ReleaseArgs {
            release,
            namespace,
            kube_version,
            api_versions,
            is_upgrade,
        } = self.clone();
        ReleaseOptions {
            name: release,
            namespace,
            kube_version,
            api_versions,
            is_upgrade,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ManifestFormat {
    Yaml,
    Json,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
    /// The chart, as in `helm template NAME CHART` (same as `--chart`)
    #[arg(value_name = "CHART", conflicts_with = "chart")]
    pub chart_arg: Option<PathBuf>,
    #[command(flatten)]
    pub values: ValueArgs,
    /// Only print manifests from templates matching this glob (`templates/redis-*.yaml`)
    #[arg(short = 's', long = "show-only", value_name = "GLOB")]
    pub show_only: Vec<String>,
    /// Write DIR/<chart>/templates/<file> instead of printing; DIR/<chart> is replaced whole
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Render a release per *.yaml file in DIR, named after the file: each file goes above the
    /// preset and -f files, below the --set flags (with --output-dir: OUT/<release>/<chart>/...)
    #[arg(long, value_name = "DIR", conflicts_with = "release")]
    pub values_dir: Option<PathBuf>,
    /// Let `--output-dir` replace a DIR/<chart> that `render` did not write
    #[arg(long, requires = "output_dir")]
    pub overwrite: bool,
    /// Do not check the values against the chart's values.schema.json
    #[arg(long)]
    pub skip_schema_validation: bool,
    /// Output format
    #[arg(short = 'o', long, value_enum, default_value_t = ManifestFormat::Yaml)]
    pub output: ManifestFormat,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ValuesArgs {
    #[command(subcommand)]
    pub action: Option<ValuesAction>,
    #[command(flatten)]
    pub values: ValueArgs,
    /// Output format
    #[arg(short = 'o', long, value_enum, default_value_t = ManifestFormat::Yaml)]
    pub output: ManifestFormat,
    /// Print each value's source (file:line:col, flag or chart default) beside it
    #[arg(long)]
    pub show_origin: bool,
    /// Print passwords, tokens and other secret values instead of `(hidden)`
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Subcommand)]
pub enum ValuesAction {
    /// Convert a values file of another Redis chart into redis-ha values (stdout), with a
    /// report of what was mapped and what was left out and why (stderr)
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The chart the values file was written for
    #[arg(long, value_enum, value_name = "CHART")]
    pub from: ImportSource,
    /// The values file; `-` reads standard input
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Carry passwords into the output (they are printed) instead of leaving them out
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportSource {
    /// bitnami/redis (23.x; replication with Sentinel, or standalone)
    Bitnami,
    /// The community chart dandydeveloper/redis-ha (4.x)
    Dandydeveloper,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    Text,
    Json,
    Sarif,
    Junit,
    Github,
}

/// Which rules apply how strictly: production-only checks, dev-only allowances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintProfile {
    Dev,
    Staging,
    Production,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
    #[command(flatten)]
    pub values: ValueArgs,
    /// Output format (`--format` is the older name)
    #[arg(short = 'o', long = "output", visible_alias = "format", value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,
    /// Fail on warnings too
    #[arg(long)]
    pub strict: bool,
    /// Lint as this environment [default: from --env and the -f file names, else staging]
    #[arg(long, value_enum, value_name = "PROFILE")]
    pub profile: Option<LintProfile>,
    /// Skip a rule by ID (repeatable)
    #[arg(long, value_name = "RULE")]
    pub skip: Vec<String>,
    /// List the rules and exit
    #[arg(long)]
    pub list: bool,
    /// Print a rule's documentation and exit
    #[arg(long, value_name = "RULE")]
    pub explain: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Change,
    Hazard,
}

#[derive(Debug, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each is a flag the user types"
)]
pub struct DiffArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
    /// The new desired state
    #[command(flatten)]
    pub values: ValueArgs,
    /// The current state as manifests (`helm get manifest`, `kubectl get -o yaml`, a render); `-` is stdin
    #[arg(long, value_name = "FILE", conflicts_with_all = ["old_env", "old_values", "old_set", "old_chart"])]
    pub against: Option<String>,
    /// Live objects (`kubectl get -o yaml`) to hold against the last release given by
    /// `--against` (`helm get manifest`): what changed on the cluster since shows as drift,
    /// apart from what the upgrade changes; `-` is stdin
    #[arg(long, value_name = "FILE", requires = "against")]
    pub live: Option<String>,
    /// The old state: the same chart rendered with this preset
    #[arg(long, value_name = "NAME")]
    pub old_env: Option<String>,
    /// The old state: values files (repeatable)
    #[arg(long, value_name = "FILE")]
    pub old_values: Vec<String>,
    /// The old state: --set values (repeatable)
    #[arg(long, value_name = "KEY=VAL")]
    pub old_set: Vec<String>,
    /// The old state: another chart (directory or .tgz)
    #[arg(long, value_name = "DIR|TGZ")]
    pub old_chart: Option<PathBuf>,
    /// Lines of context in the unified diff
    #[arg(long, default_value_t = 3)]
    pub context: usize,
    /// Show fields present only in live objects (server defaults)
    #[arg(long)]
    pub show_defaults: bool,
    /// Print Secret values instead of masking them
    #[arg(long)]
    pub show_secrets: bool,
    /// Mask Secret values: the default, accepted as helm-diff spells it
    #[arg(long, conflicts_with = "show_secrets")]
    pub suppress_secrets: bool,
    /// Leave resources of this kind out of the diff and the exit code; their hazards still
    /// show (repeatable, as helm-diff's `--suppress`)
    #[arg(long, value_name = "KIND")]
    pub suppress: Vec<String>,
    /// Output format (`--format` is accepted too, as for `lint`)
    #[arg(short = 'o', long, alias = "format", value_enum, default_value_t = DiffFormat::Text)]
    pub output: DiffFormat,
    /// When to color text output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// What makes the exit code 1: any change, or only a hazard
    #[arg(long, value_enum, default_value_t = FailOn::Change)]
    pub fail_on: FailOn,
    /// List the hazards and exit (as JSON with `-o json`)
    #[arg(long, visible_alias = "list")]
    pub list_hazards: bool,
    /// Print a hazard's documentation and exit
    #[arg(long, value_name = "HAZARD")]
    pub explain: Option<String>,
}

#[derive(Debug, Args)]
pub struct PackageArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
    #[command(flatten)]
    pub values: ValueArgs,
    /// Chart version (SemVer 2); defaults to the chart's
    #[arg(long, value_name = "SEMVER")]
    pub version: Option<String>,
    /// App version; defaults to the chart's
    #[arg(long, value_name = "V")]
    pub app_version: Option<String>,
    /// Destination directory
    #[arg(
        short = 'd',
        long = "destination",
        value_name = "DIR",
        default_value = "."
    )]
    pub destination: PathBuf,
    /// Write the chart directory instead of a .tgz
    #[arg(long)]
    pub unpacked: bool,
    /// Keep the render's Secrets in the chart (their data is only base64-encoded)
    #[arg(long)]
    pub include_secrets: bool,
}

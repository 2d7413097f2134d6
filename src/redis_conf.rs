//! The text format of `redis.conf` and `sentinel.conf`: one directive per line, its name
//! and its arguments. Lint reads the rendered files with it, `values import` the
//! configuration another chart's values carry; neither keeps its own parser.

/// One line of a configuration file: its lowercased name and its arguments.
#[derive(Debug, PartialEq, Eq)]
pub struct Directive {
    pub name: String,
    pub args: Vec<String>,
}

/// The directives of one file: comments and blank lines dropped, `sentinel X` folded into
/// one name, quotes around arguments removed.
pub fn parse(text: &str) -> Vec<Directive> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line
            .split_whitespace()
            .map(|w| w.trim_matches('"').to_owned());
        let Some(mut name) = words.next().map(|w| w.to_ascii_lowercase()) else {
            continue;
        };
        let mut args: Vec<String> = words.collect();
        if name == "sentinel" && !args.is_empty() {
            name = format!("sentinel {}", args.remove(0).to_ascii_lowercase());
        }
        out.push(Directive { name, args });
    }
    out
}

/// Whether a free-form configuration value (`redis.extraConfig`) sets this directive.
pub fn text_sets(text: &str, name: &str) -> bool {
    parse(text).iter().any(|d| d.name == name)
}

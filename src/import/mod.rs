//! `redis-ha values import`: another chart's values file turned into this chart's values.
//!
//! Each source chart ([`bitnami`], [`dandydeveloper`]) is a table from its value paths to an
//! [`Action`]: copy the value (or the whole subtree) to one of our paths, convert it, or drop
//! it with the reason a user needs (what redis-ha does instead, which value to set). The walk
//! is the same for every chart and lives here:
//!
//! - every value the file sets is accounted for: mapped, dropped with a reason, or (for
//!   empty values: `""`, `{}`, `[]`, `null`, which carry nothing) counted;
//! - a value is carried over only as the file spells it: nothing is made up from the source
//!   chart's defaults;
//! - two source values that land on one of our values (Bitnami's `master.resources` and
//!   `replica.resources`: redis-ha runs every Redis pod from one template) keep the first the
//!   chart lists, and the other is reported when it differs;
//! - passwords are carried only when asked (`--show-secrets`): the output is printed, and the
//!   secrets policy hides a password in everything printed ([`crate::secrets`]);
//! - the result is checked against the bundled chart's schema: a value the schema refuses is
//!   dropped with the schema's message and the source line, so the output always validates.

pub mod bitnami;
pub mod dandydeveloper;

use std::fmt;

use crate::chart::Chart;
use crate::values::{FileLayer, Map, Node, Origin, Value, merge, yaml};

/// The charts whose values files can be imported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceChart {
    /// `bitnami/redis` (architecture `replication` with `sentinel.enabled`, or `standalone`).
    Bitnami,
    /// The community chart `dandydeveloper/redis-ha` (Redis with a Sentinel sidecar).
    DandyDeveloper,
}

impl SourceChart {
    pub fn name(self) -> &'static str {
        match self {
            SourceChart::Bitnami => "bitnami/redis",
            SourceChart::DandyDeveloper => "dandydeveloper/redis-ha",
        }
    }

    /// The chart version whose values the table was written from.
    pub fn known_version(self) -> &'static str {
        match self {
            SourceChart::Bitnami => "23.1",
            SourceChart::DandyDeveloper => "4.39",
        }
    }

    fn rule(self, path: &str, facts: &Facts) -> Option<Action> {
        match self {
            SourceChart::Bitnami => bitnami::rule(path, facts),
            SourceChart::DandyDeveloper => dandydeveloper::rule(path, facts),
        }
    }

    fn facts(self, source: &Node) -> Facts {
        match self {
            SourceChart::Bitnami => bitnami::facts(source),
            SourceChart::DandyDeveloper => dandydeveloper::facts(source),
        }
    }

    /// Top-level keys walked before the others (the rest in sorted order): the key whose
    /// values win when two land on one of ours.
    fn first(self) -> &'static [&'static str] {
        match self {
            SourceChart::Bitnami => &["architecture", "sentinel", "replica", "master"],
            SourceChart::DandyDeveloper => &[],
        }
    }
}

/// What the source file says that changes how other values read (Bitnami's architecture).
#[derive(Debug, Default)]
pub struct Facts {
    /// The release runs Sentinel (redis-ha `architecture: sentinel`).
    pub sentinel: bool,
    /// Sentinel's master name, for Sentinel directives that name the master.
    pub master_name: String,
    /// The source image is the source chart's own (its scripts, its user); ours applies.
    pub vendor_image: bool,
}

/// What becomes of one source value.
pub enum Action {
    /// Copy the value, whole subtree included, to this dotted path.
    To(&'static str),
    /// Convert it: the function sets our values through the [`Import`] it is given.
    With(fn(&mut Import, &Source<'_>)),
    /// Leave it out, for this reason.
    Drop(&'static str),
    /// A map whose keys each have their own rule.
    Descend,
}

/// One source value being converted: its path and node.
pub struct Source<'a> {
    pub path: &'a str,
    pub node: &'a Node,
    pub facts: &'a Facts,
}

impl Source<'_> {
    /// Calls `each` with every entry of this map, as a source of its own; anything else than
    /// a map is dropped with `expected`.
    pub fn entries(
        &self,
        import: &mut Import,
        expected: &'static str,
        mut each: impl FnMut(&mut Import, &str, &Source<'_>),
    ) {
        let Value::Map(map) = &self.node.value else {
            return import.drop(self, expected);
        };
        for (key, value) in map {
            let path = format!("{}.{key}", self.path);
            let child = Source {
                path: &path,
                node: value,
                facts: self.facts,
            };
            each(import, key, &child);
        }
    }
}

/// What became of one source value, in the report.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Dotted path in the source file.
    pub from: String,
    /// `file:line:col` of the value.
    pub location: String,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Carried to this path of ours.
    Mapped(String),
    /// Left out, and why.
    Dropped(String),
    /// Nothing to carry: redis-ha already works this way (the note says how).
    Kept(String),
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            Outcome::Mapped(to) if *to == self.from => {
                write!(f, "mapped   {} ({})", self.from, self.location)
            }
            Outcome::Mapped(to) => write!(f, "mapped   {} -> {to} ({})", self.from, self.location),
            Outcome::Dropped(reason) => {
                write!(f, "dropped  {} ({}): {reason}", self.from, self.location)
            }
            Outcome::Kept(note) => write!(f, "kept     {} ({}): {note}", self.from, self.location),
        }
    }
}

/// The conversion under way, then its result.
pub struct Import {
    chart: SourceChart,
    /// Our values, as a user's values file (only what the source set).
    pub values: Map,
    /// What became of each source value, in walk order.
    pub entries: Vec<Entry>,
    /// Empty source values (they carry nothing).
    pub empty: usize,
    carry_secrets: bool,
}

/// A file that cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Yaml(#[from] yaml::YamlError),
    #[error(
        "{location}: the {chart} values file is not a map of values\n  hint: pass the values file of a release (`helm get values RELEASE -o yaml`)"
    )]
    NotAMap {
        location: String,
        chart: &'static str,
    },
}

/// Converts a values file of `chart`; `label` names it in locations. Passwords are carried
/// only with `carry_secrets`. The result validates against the bundled chart's schema.
pub fn import(
    chart: SourceChart,
    text: &str,
    label: &str,
    carry_secrets: bool,
    ours: &Chart,
) -> Result<Import, ImportError> {
    let map = yaml::parse_values(text, label, FileLayer::User)?;
    let source = Node::new(Value::Map(map), Origin::Computed);
    let facts = chart.facts(&source);
    let mut import = Import {
        chart,
        values: Map::new(),
        entries: Vec::new(),
        empty: 0,
        carry_secrets,
    };
    let Value::Map(top) = &source.value else {
        return Err(ImportError::NotAMap {
            location: label.to_owned(),
            chart: chart.name(),
        });
    };
    let mut keys: Vec<&String> = top.keys().collect();
    let first = chart.first();
    keys.sort_by_key(|k| (first.iter().position(|f| f == k).unwrap_or(first.len()), *k));
    for key in keys {
        import.walk(key, &top[key], &facts);
    }
    import.fit_schema(ours);
    Ok(import)
}

impl Import {
    fn walk(&mut self, path: &str, node: &Node, facts: &Facts) {
        if is_empty(node) {
            self.empty += 1;
            return;
        }
        let action = self.chart.rule(path, facts).unwrap_or(match node.value {
            Value::Map(_) => Action::Descend,
            _ => Action::Drop("redis-ha has no such value"),
        });
        let source = Source { path, node, facts };
        match action {
            Action::To(to) => self.set(&source, to, node.clone()),
            Action::With(convert) => convert(self, &source),
            Action::Drop(reason) => self.drop(&source, reason),
            Action::Descend => match &node.value {
                Value::Map(map) => {
                    for (key, child) in map {
                        self.walk(&format!("{path}.{key}"), child, facts);
                    }
                }
                _ => self.drop(&source, "expected a map of values here"),
            },
        }
    }

    /// Sets our value at `to` from a source value; a second source value for a path already
    /// set is reported (dropped) unless it is the same.
    pub fn set(&mut self, source: &Source<'_>, to: &str, value: Node) {
        if crate::secrets::is_secret_dotted(to) && !self.carry_secrets {
            return self.drop(
                source,
                "a password is not printed: create a Secret holding it and set auth.existingSecret \
                 (or pass --show-secrets to carry it)",
            );
        }
        let mut value = value;
        value.origin = source.node.origin.clone();
        match insert(&mut self.values, to, value) {
            Ok(()) => self.record(source, Outcome::Mapped(to.to_owned())),
            Err(Conflict::Same) => self.record(source, Outcome::Mapped(to.to_owned())),
            Err(Conflict::Different(by)) => {
                let why =
                    if self.chart == SourceChart::Bitnami && source.path.starts_with("master.") {
                        " (redis-ha runs every Redis pod from one template: replica.* comes first)"
                    } else {
                        ""
                    };
                self.drop_owned(source, format!("`{to}` is already set from `{by}`{why}"));
            }
        }
    }

    /// Leaves a source value out, for `reason`.
    pub fn drop(&mut self, source: &Source<'_>, reason: &str) {
        self.drop_owned(source, reason.to_owned());
    }

    pub fn drop_owned(&mut self, source: &Source<'_>, reason: String) {
        self.record(source, Outcome::Dropped(reason));
    }

    /// Accounts for a source value that needs nothing: redis-ha already works as it says.
    pub fn record_note(&mut self, source: &Source<'_>, note: &str) {
        self.record(source, Outcome::Kept(note.to_owned()));
    }

    fn record(&mut self, source: &Source<'_>, outcome: Outcome) {
        self.entries.push(Entry {
            from: source.path.to_owned(),
            location: source.node.origin.location(),
            outcome,
        });
    }

    /// Drops what the bundled chart's schema refuses, with its message, until the values
    /// validate (each round removes at least one value, so this ends).
    fn fit_schema(&mut self, ours: &Chart) {
        let Ok(defaults) =
            yaml::parse_values(&ours.values_yaml, &ours.values_path, FileLayer::Chart)
        else {
            return;
        };
        loop {
            let merged = merge::coalesce(defaults.clone(), self.values.clone());
            let merged = Node::new(Value::Map(merged), Origin::Computed);
            let Ok(violations) = crate::release::violations(ours, &merged) else {
                return;
            };
            let mut removed = false;
            for violation in &violations {
                for entry in &mut self.entries {
                    let Outcome::Mapped(to) = &entry.outcome else {
                        continue;
                    };
                    if !(within(&violation.path, to) || within(to, &violation.path)) {
                        continue;
                    }
                    if remove(&mut self.values, to) {
                        removed = true;
                    }
                    let mut message =
                        format!("redis-ha's schema refuses it: {}", violation.message);
                    if let Some(hint) = &violation.hint {
                        message.push_str(&format!(" ({hint})"));
                    }
                    entry.outcome = Outcome::Dropped(message);
                }
            }
            if !removed {
                return;
            }
        }
    }

    /// How many source values were carried over.
    pub fn mapped(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| matches!(e.outcome, Outcome::Mapped(_)))
            .count()
    }

    /// How many source values were left out.
    pub fn dropped(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| matches!(e.outcome, Outcome::Dropped(_)))
            .count()
    }

    /// The converted values as a values file, with a header saying where they came from.
    pub fn to_yaml(&self, label: &str) -> String {
        let mut out = format!(
            "# redis-ha values converted from the {} values file {label} by `redis-ha values import`:\n\
             # {} values mapped, {} left out (the report on standard error says which and why).\n",
            self.chart.name(),
            self.mapped(),
            self.dropped(),
        );
        if self.values.is_empty() {
            out.push_str("{}\n");
        } else {
            out.push_str(&crate::values::show::yaml(&Node::new(
                Value::Map(self.values.clone()),
                Origin::Computed,
            )));
        }
        out
    }
}

/// Nothing to carry: `null`, `""`, `{}`, `[]`.
fn is_empty(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::Str(s) => s.is_empty(),
        Value::Seq(items) => items.is_empty(),
        Value::Map(map) => map.is_empty(),
        _ => false,
    }
}

/// Whether dotted path `inner` is `outer` or below it (`a.b[0].c` is within `a.b`).
fn within(inner: &str, outer: &str) -> bool {
    inner
        .strip_prefix(outer)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

enum Conflict {
    Same,
    /// Set from another source value, whose location this is.
    Different(String),
}

fn insert(map: &mut Map, path: &str, value: Node) -> Result<(), Conflict> {
    let (head, rest) = match path.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    match rest {
        None => match map.get(head) {
            Some(existing) if existing.to_json() == value.to_json() => Err(Conflict::Same),
            Some(existing) => Err(Conflict::Different(existing.origin.location())),
            None => {
                map.insert(head.to_owned(), value);
                Ok(())
            }
        },
        Some(rest) => {
            let child = map
                .entry(head.to_owned())
                .or_insert_with(|| Node::new(Value::Map(Map::new()), Origin::Computed));
            match &mut child.value {
                Value::Map(inner) => insert(inner, rest, value),
                _ => Err(Conflict::Different(child.origin.location())),
            }
        }
    }
}

/// Removes the value at a dotted path and the maps it leaves empty; whether it was there.
fn remove(map: &mut Map, path: &str) -> bool {
    match path.split_once('.') {
        None => map.remove(path).is_some(),
        Some((head, rest)) => {
            let Some(Node {
                value: Value::Map(inner),
                ..
            }) = map.get_mut(head)
            else {
                return false;
            };
            let removed = remove(inner, rest);
            if inner.is_empty() {
                map.remove(head);
            }
            removed
        }
    }
}

/// Conversions several charts share.
pub mod convert {
    use super::{Import, Source};
    use crate::redis_conf;
    use crate::values::{Node, Value};

    /// A scalar as text (`yes`, `900 1`, 16): how a configuration file would spell it.
    pub fn text(node: &Node) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Bool(b) => Some(if *b { "yes" } else { "no" }.to_owned()),
            Value::Float(f) => Some(f.to_string()),
            _ => None,
        }
    }

    pub fn string(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }

    /// An image given as one `registry/repository` string: split where Docker splits it (a
    /// first component with a `.` or `:`, or `localhost`, is a registry).
    pub fn split_image(reference: &str) -> (Option<&str>, &str) {
        match reference.split_once('/') {
            Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
                (Some(first), rest)
            }
            _ => (None, reference),
        }
    }

    /// Sets `<prefix>.registry` and `<prefix>.repository` from one image string.
    pub fn image_reference(import: &mut Import, source: &Source<'_>, prefix: &'static str) {
        let Some(reference) = text(source.node) else {
            return import.drop(source, "expected an image name");
        };
        let (registry, repository) = split_image(&reference);
        let node = source.node;
        import.set(
            source,
            &format!("{prefix}.registry"),
            Node::new(string(registry.unwrap_or("docker.io")), node.origin.clone()),
        );
        import.set(
            source,
            &format!("{prefix}.repository"),
            Node::new(string(repository), node.origin.clone()),
        );
    }

    /// Whole seconds from a Go duration (`330s`, `1m`, `1h`) or a plain number of seconds.
    pub fn seconds(node: &Node) -> Option<u64> {
        millis(node).map(|ms| ms.div_ceil(1000))
    }

    /// Milliseconds from a Go/HAProxy duration (`4s`, `500ms`, `1m`) or a plain number of
    /// milliseconds.
    pub fn millis(node: &Node) -> Option<u64> {
        let text = text(node)?;
        let text = text.trim();
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let number: u64 = number.parse().ok()?;
        let factor = match unit {
            "" | "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            _ => return None,
        };
        number.checked_mul(factor)
    }

    /// The redis.conf directives a values file carries (one text, or one `name: value` pair)
    /// set as our values: the ones the model has a value for go there, the ones redis-ha
    /// writes itself are dropped, the rest are appended to `redis.extraConfig`.
    pub fn redis_directives(import: &mut Import, source: &Source<'_>, text: &str) {
        let mut extra = Vec::new();
        let mut save: Option<Vec<String>> = None;
        for directive in redis_conf::parse(text) {
            let args = directive.args.join(" ");
            let name = directive.name.as_str();
            let value = |v: Value| Node::new(v, source.node.origin.clone());
            let int = || args.parse::<i64>().ok().map(Value::Int);
            match name {
                "maxmemory" => import.set(source, "redis.maxmemory", value(string(&args))),
                "maxmemory-policy" => {
                    import.set(source, "redis.maxmemoryPolicy", value(string(&args)));
                }
                "appendonly" => {
                    import.set(
                        source,
                        "redis.appendonly",
                        value(Value::Bool(args == "yes")),
                    );
                }
                "appendfsync" => import.set(source, "redis.appendfsync", value(string(&args))),
                // Each `save` line adds save points; `save ""` clears them.
                "save" => {
                    let points = save.get_or_insert_with(Vec::new);
                    if args.is_empty() {
                        points.clear();
                    } else {
                        points.push(args);
                    }
                }
                "min-replicas-to-write" | "min-slaves-to-write" => match int() {
                    Some(v) => import.set(source, "redis.minReplicasToWrite", value(v)),
                    None => import.drop(source, "min-replicas-to-write: expected a number"),
                },
                "min-replicas-max-lag" | "min-slaves-max-lag" => match int() {
                    Some(v) => import.set(source, "redis.minReplicasMaxLag", value(v)),
                    None => import.drop(source, "min-replicas-max-lag: expected a number"),
                },
                "port" => match int() {
                    Some(v) => import.set(source, "redis.port", value(v)),
                    None => import.drop(source, "port: expected a number"),
                },
                "rename-command" if directive.args.len() == 2 => {
                    let (from, to) = (&directive.args[0], &directive.args[1]);
                    if to.is_empty() {
                        extra_command(import, source, from);
                    } else {
                        import.set(
                            source,
                            &format!("redis.renameCommands.{from}"),
                            value(string(to)),
                        );
                    }
                }
                "requirepass" | "masterauth" | "masteruser" => import.drop_owned(
                    source,
                    format!(
                        "`{name}`: redis-ha sets the password from auth.* (auth.existingSecret)"
                    ),
                ),
                _ if MANAGED.contains(&name) || name.starts_with("tls-") => import.drop_owned(
                    source,
                    format!("`{name}`: redis-ha writes this directive itself"),
                ),
                _ => extra.push(format!("{name} {}", quote_args(&directive.args))),
            }
        }
        if let Some(points) = save {
            let node = Node::new(string(points.join(" ")), source.node.origin.clone());
            import.set(source, "redis.save", node);
        }
        if !extra.is_empty() {
            append_text(import, source, "redis.extraConfig", &extra);
        }
    }

    /// Alert rules another chart passes through Helm's `tpl`: a string literal action
    /// (`{{ "{{ $labels.instance }}" }}`, Helm's way to write Prometheus' own template) is
    /// what the rule holds after `tpl`; a rule with any other action depends on the release
    /// and is left out.
    pub fn templated_rules(import: &mut Import, source: &Source<'_>, to: &str) {
        let Value::Seq(rules) = &source.node.value else {
            return import.drop(source, "expected a list of alert rules");
        };
        let mut kept = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            let mut rule = rule.clone();
            if untemplate(&mut rule) {
                kept.push(rule);
            } else {
                let path = format!("{}[{index}]", source.path);
                let child = Source {
                    path: &path,
                    node: &rules[index],
                    facts: source.facts,
                };
                import.drop(&child, "the rule uses Helm template actions redis-ha does not evaluate: write it out and add it to metrics.prometheusRule.additionalRules");
            }
        }
        if !kept.is_empty() {
            import.set(
                source,
                to,
                Node::new(Value::Seq(kept), source.node.origin.clone()),
            );
        }
    }

    /// Evaluates string-literal template actions in every string of a tree; false when
    /// another action is found.
    fn untemplate(node: &mut Node) -> bool {
        match &mut node.value {
            Value::Str(text) => match tpl_literals(text) {
                Some(plain) => {
                    *text = plain;
                    true
                }
                None => false,
            },
            Value::Seq(items) => items.iter_mut().all(untemplate),
            Value::Map(map) => map.values_mut().all(untemplate),
            _ => true,
        }
    }

    /// `text` after Helm's `tpl`, when its only actions are string literals.
    pub fn tpl_literals(text: &str) -> Option<String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let action = rest[start + 2..].trim_start_matches('-').trim_start();
            let quote = action.chars().next().filter(|c| matches!(c, '"' | '`'))?;
            let body = &action[1..];
            let close = body.find(quote)?;
            let literal = &body[..close];
            if quote == '"' && literal.contains('\\') {
                return None;
            }
            out.push_str(literal);
            rest = body[close + 1..]
                .trim_start()
                .trim_start_matches('-')
                .strip_prefix("}}")?;
        }
        out.push_str(rest);
        Some(out)
    }

    /// Sentinel directives (`sentinel down-after-milliseconds <master> 5000`, `maxclients 100`).
    pub fn sentinel_directives(import: &mut Import, source: &Source<'_>, text: &str) {
        let mut extra = Vec::new();
        for directive in redis_conf::parse(text) {
            let name = directive.name.as_str();
            // `sentinel <option> <master> <value>`: the value is the last argument.
            let last = directive.args.last().cloned().unwrap_or_default();
            let value = |v: Value| Node::new(v, source.node.origin.clone());
            let int = last.parse::<i64>().ok().map(Value::Int);
            match (name, int) {
                ("sentinel down-after-milliseconds", Some(v)) => {
                    import.set(source, "sentinel.downAfterMilliseconds", value(v));
                }
                ("sentinel failover-timeout", Some(v)) => {
                    import.set(source, "sentinel.failoverTimeout", value(v));
                }
                ("sentinel parallel-syncs", Some(v)) => {
                    import.set(source, "sentinel.parallelSyncs", value(v));
                }
                ("sentinel monitor", _) => import.drop(
                    source,
                    "`sentinel monitor`: redis-ha names the master (sentinel.masterName) and sets the quorum (sentinel.quorum)",
                ),
                _ if name.starts_with("sentinel auth") || name == "requirepass" => import.drop(
                    source,
                    "Sentinel's passwords come from auth.* (auth.sentinel, auth.existingSecret)",
                ),
                _ if SENTINEL_MANAGED.contains(&name)
                    || MANAGED.contains(&name)
                    || name.starts_with("tls-") =>
                {
                    import.drop_owned(
                        source,
                        format!("`{name}`: redis-ha writes this directive itself"),
                    );
                }
                _ => extra.push(format!("{name} {}", quote_args(&directive.args))),
            }
        }
        if !extra.is_empty() {
            append_text(import, source, "sentinel.extraConfig", &extra);
        }
    }

    fn extra_command(import: &mut Import, source: &Source<'_>, command: &str) {
        let node = Node::new(
            Value::Seq(vec![Node::new(string(command), source.node.origin.clone())]),
            source.node.origin.clone(),
        );
        append_list(import, source, "redis.disableCommands", node);
    }

    /// Appends lines to a free-form configuration value (several source values may add to it).
    fn append_text(import: &mut Import, source: &Source<'_>, to: &str, lines: &[String]) {
        let mut text = match import.values_at(to) {
            Some(Value::Str(existing)) => existing.clone(),
            _ => String::new(),
        };
        for line in lines {
            text.push_str(line.trim_end());
            text.push('\n');
        }
        import.replace(
            source,
            to,
            Node::new(string(text), source.node.origin.clone()),
        );
    }

    /// Appends the items of a list value to one of ours (Bitnami's `master.disableCommands`
    /// and `replica.disableCommands` both become `redis.disableCommands`), without repeats.
    /// Image pull secrets as names: the source charts take names or `{name: ...}`
    /// references; redis-ha takes names.
    pub fn secret_names(import: &mut Import, source: &Source<'_>) -> Option<Node> {
        let Value::Seq(items) = &source.node.value else {
            import.drop(source, "expected a list of Secret names");
            return None;
        };
        let names: Vec<Node> = items
            .iter()
            .filter_map(|item| match &item.value {
                Value::Map(map) => map.get("name").cloned(),
                _ => Some(item.clone()),
            })
            .collect();
        Some(Node::new(Value::Seq(names), source.node.origin.clone()))
    }

    pub fn append_list(import: &mut Import, source: &Source<'_>, to: &str, node: Node) {
        let Value::Seq(new) = node.value else {
            return import.drop(source, "expected a list");
        };
        let mut items = match import.values_at(to) {
            Some(Value::Seq(existing)) => existing.clone(),
            _ => Vec::new(),
        };
        for item in new {
            if !items.iter().any(|i| i.to_json() == item.to_json()) {
                items.push(item);
            }
        }
        import.replace(
            source,
            to,
            Node::new(Value::Seq(items), source.node.origin.clone()),
        );
    }

    fn quote_args(args: &[String]) -> String {
        args.iter()
            .map(|a| {
                if a.is_empty() || a.contains(char::is_whitespace) {
                    format!("\"{a}\"")
                } else {
                    a.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Directives the chart writes into redis.conf itself (its data directory, replication,
    /// how the pod is reached); another chart's value for them would break the pods.
    const MANAGED: &[&str] = &[
        "dir",
        "dbfilename",
        "appendfilename",
        "appenddirname",
        "bind",
        "protected-mode",
        "daemonize",
        "pidfile",
        "logfile",
        "include",
        "replicaof",
        "slaveof",
        "replica-announce-ip",
        "slave-announce-ip",
        "replica-announce-port",
        "aclfile",
        "cluster-enabled",
        "cluster-config-file",
        "supervised",
        "unixsocket",
        "repl-timeout",
        "repl-ping-replica-period",
    ];

    /// Sentinel directives the chart writes (or Sentinel rewrites) itself.
    const SENTINEL_MANAGED: &[&str] = &[
        "sentinel resolve-hostnames",
        "sentinel announce-hostnames",
        "sentinel announce-ip",
        "sentinel announce-port",
        "sentinel known-replica",
        "sentinel known-sentinel",
        "sentinel myid",
        "sentinel current-epoch",
        "sentinel config-epoch",
        "sentinel leader-epoch",
    ];
}

impl Import {
    /// Our value at a dotted path, as converted so far.
    pub fn values_at(&self, path: &str) -> Option<&Value> {
        let mut parts = path.split('.');
        let mut node = self.values.get(parts.next()?)?;
        for part in parts {
            let Value::Map(map) = &node.value else {
                return None;
            };
            node = map.get(part)?;
        }
        Some(&node.value)
    }

    /// Sets a value that accumulates (free-form text, lists): replaces what is there.
    pub fn replace(&mut self, source: &Source<'_>, to: &str, value: Node) {
        remove(&mut self.values, to);
        self.set(source, to, value);
    }
}

#[cfg(test)]
mod tests {
    use super::convert::{millis, split_image};
    use super::*;

    #[test]
    fn images_split_where_docker_splits() {
        for (reference, registry, repository) in [
            ("redis", None, "redis"),
            ("bitnami/redis", None, "bitnami/redis"),
            (
                "quay.io/oliver006/redis_exporter",
                Some("quay.io"),
                "oliver006/redis_exporter",
            ),
            (
                "public.ecr.aws/docker/library/redis",
                Some("public.ecr.aws"),
                "docker/library/redis",
            ),
            ("localhost/redis", Some("localhost"), "redis"),
            ("registry:5000/redis", Some("registry:5000"), "redis"),
        ] {
            assert_eq!(
                split_image(reference),
                (registry, repository),
                "{reference}"
            );
        }
    }

    #[test]
    fn durations_in_milliseconds() {
        let node = |v: Value| Node::new(v, Origin::Computed);
        for (value, expected) in [
            (Value::Str("4s".into()), Some(4000)),
            (Value::Str("500ms".into()), Some(500)),
            (Value::Str("1m".into()), Some(60_000)),
            (Value::Int(250), Some(250)),
            (Value::Str("1x".into()), None),
            (Value::Str("s".into()), None),
        ] {
            assert_eq!(millis(&node(value.clone())), expected, "{value:?}");
        }
    }

    #[test]
    fn helm_string_literals_are_evaluated() {
        use super::convert::tpl_literals;
        for (text, expected) in [
            ("plain", Some("plain")),
            (
                "{{ \"{{ $labels.instance }}\" }} down",
                Some("{{ $labels.instance }} down"),
            ),
            ("{{- `{{ $value }}` -}}%", Some("{{ $value }}%")),
            ("{{ .Release.Name }} down", None),
            ("{{ include \"x\" . }}", None),
            ("{{ \"unclosed\"", None),
        ] {
            assert_eq!(tpl_literals(text).as_deref(), expected, "{text}");
        }
    }

    #[test]
    fn within_paths() {
        assert!(within("a.b", "a.b"));
        assert!(within("a.b.c", "a.b"));
        assert!(within("a.b[0].c", "a.b"));
        assert!(!within("a.bc", "a.b"));
        assert!(!within("a", "a.b"));
    }
}

//! Redis ACL rules: the default rules of the chart's logins, what each of the chart's
//! processes must be allowed, and which commands a rule set allows. The values model takes its
//! defaults from here and the lint rules their checks, so a rule set is read one way only.
//! Rules are read as Redis 7 reads `ACL SETUSER` arguments, left to right, the last one that
//! names a command deciding; a selector (`(~cache:* +get)`, Redis 7) adds what it allows, its
//! key patterns left to Redis as the root's are.

use std::fmt;

/// The replicas' login: `PSYNC`, `REPLCONF` and `PING`, nothing else.
pub const REPLICATION_RULES: &str = "+psync +replconf +ping";

/// The sentinels' login, as redis.io's Sentinel documentation lists it ("Redis Access Control
/// List authentication"), with the channel of the hello messages.
pub const SENTINEL_RULES: &str = "+multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill &__sentinel__:hello";

/// The chart's tools' login: the start-up script and probes (`PING`, `INFO`, `ROLE`), the preStop
/// hook (`CLIENT PAUSE`/`UNPAUSE`), the exporter (`INFO`, `CONFIG GET`, `CLIENT LIST`, `SLOWLOG`,
/// `LATENCY`) and the master endpoint's health check (`PING`, `INFO`, `QUIT`).
pub const CHART_RULES: &str = "+ping +info +role +client|pause +client|unpause +client|setname +client|list +config|get +slowlog +latency";

/// What the replicas run on their master.
pub const REPLICATION_NEEDS: &[&str] = &["psync", "replconf", "ping"];

/// What the sentinels run on Redis.
pub const SENTINEL_NEEDS: &[&str] = &[
    "multi",
    "exec",
    "slaveof",
    "ping",
    "subscribe",
    "publish",
    "config|rewrite",
    "role",
    "info",
    "client|setname",
    "client|kill",
    "script|kill",
];

/// The channel the sentinels talk on through each Redis server.
pub const SENTINEL_CHANNEL: &str = "__sentinel__:hello";

/// What the chart's tools run on Redis.
pub const CHART_NEEDS: &[&str] = &[
    "ping",
    "info",
    "role",
    "client|pause",
    "client|unpause",
    "config|get",
];

/// Commands that wipe the data set or reconfigure and stop the server; the `dangerous-commands-
/// enabled` rule checks the same ones (`CONFIG` as `CONFIG SET`).
pub const DANGEROUS: &[&str] = &["flushall", "flushdb", "config|set", "debug"];

/// The ACL categories of the commands this module reasons about (Redis 7 `COMMAND INFO`); a
/// command outside the table is in `@all` only.
const CATEGORIES: &[(&str, &[&str])] = &[
    ("psync", &["admin", "slow", "dangerous"]),
    ("replconf", &["admin", "slow", "dangerous"]),
    ("ping", &["fast", "connection"]),
    ("multi", &["fast", "transaction"]),
    ("exec", &["slow", "transaction"]),
    ("slaveof", &["admin", "slow", "dangerous"]),
    ("replicaof", &["admin", "slow", "dangerous"]),
    ("subscribe", &["pubsub", "slow"]),
    ("publish", &["pubsub", "fast"]),
    ("info", &["slow", "dangerous"]),
    ("role", &["admin", "fast", "dangerous"]),
    ("config|rewrite", &["admin", "slow", "dangerous"]),
    ("config|get", &["admin", "slow", "dangerous"]),
    ("config|set", &["admin", "slow", "dangerous"]),
    ("client|setname", &["slow", "connection"]),
    ("client|kill", &["admin", "slow", "dangerous", "connection"]),
    (
        "client|pause",
        &["admin", "slow", "dangerous", "connection"],
    ),
    (
        "client|unpause",
        &["admin", "slow", "dangerous", "connection"],
    ),
    ("client|list", &["admin", "slow", "dangerous", "connection"]),
    ("script|kill", &["slow", "scripting"]),
    ("flushall", &["keyspace", "write", "slow", "dangerous"]),
    ("flushdb", &["keyspace", "write", "slow", "dangerous"]),
    ("debug", &["admin", "slow", "dangerous"]),
    ("shutdown", &["admin", "slow", "dangerous"]),
];

/// One parsed rule.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rule {
    /// `+cmd`, `+cmd|sub`, `-cmd`...
    Command { allow: bool, name: String },
    /// `+@cat`, `-@cat`; `allcommands` and `nocommands` are `@all`.
    Category { allow: bool, name: String },
    /// `&pattern`, `allchannels` (`*`), `resetchannels` (None).
    Channel(Option<String>),
    /// `(...)`: a selector, whose commands are allowed besides the root's.
    Selector(Rules),
    /// `clearselectors`: drops the selectors before it.
    ClearSelectors,
    /// Keys, `on`/`off` and the like: no bearing on what this module answers.
    Other,
}

/// Why a rule set does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// `>`, `<`, `#`, `!`: a password in the rules.
    Password,
    /// `nopass`: a user anyone can log in as.
    NoPass,
    /// `reset`, `resetpass`: would drop the password the chart sets.
    Reset(String),
    /// Anything else Redis would refuse or this module cannot read.
    Unknown(String),
    /// A selector opened with `(` and never closed, or nested.
    Selector(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Password => f.write_str(
                "a password in the rules (`>`, `<`, `#` or `!`): passwords come from the Secret",
            ),
            Error::NoPass => f.write_str("`nopass` lets anyone log in as the user"),
            Error::Reset(word) => write!(f, "`{word}` drops the password the chart sets"),
            Error::Unknown(word) => write!(f, "`{word}` is not an ACL rule"),
            Error::Selector(text) => write!(
                f,
                "the selector `{text}` is not closed with `)` (selectors do not nest)"
            ),
        }
    }
}

/// A user's rules, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules(Vec<Rule>);

impl Rules {
    /// Parses space-separated ACL rules.
    pub fn parse(text: &str) -> Result<Rules, Error> {
        let mut rules = Vec::new();
        let mut words = text.split_whitespace();
        while let Some(word) = words.next() {
            let Some(first) = word.strip_prefix('(') else {
                if word.contains(')') {
                    return Err(Error::Unknown(word.to_owned()));
                }
                rules.push(parse_one(word)?);
                continue;
            };
            // A selector runs to the word that ends with `)`: `(~cache:* +get)`.
            let mut inner = vec![first];
            let closed = loop {
                let last = inner.last_mut().expect("one word at least");
                if let Some(body) = last.strip_suffix(')') {
                    *last = body;
                    break true;
                }
                match words.next() {
                    Some(next) => inner.push(next),
                    None => break false,
                }
            };
            let text = inner.join(" ");
            if !closed || text.contains(['(', ')']) {
                return Err(Error::Selector(format!("({text}")));
            }
            let selector = text
                .split_whitespace()
                .map(parse_one)
                .collect::<Result<_, _>>()
                .map(Rules)?;
            rules.push(Rule::Selector(selector));
        }
        Ok(Rules(rules))
    }

    /// Whether the rules allow `command` (lowercase, `cmd` or `cmd|sub`). A user starts with
    /// no command, as after `ACL SETUSER` of a new user.
    pub fn allows(&self, command: &str) -> bool {
        let (parent, _) = command.split_once('|').unwrap_or((command, ""));
        let categories = categories(command);
        let mut allowed = false;
        let mut by_selector = false;
        for rule in &self.0 {
            match rule {
                Rule::Command { allow, name } if name == command || name == parent => {
                    allowed = *allow;
                }
                Rule::Category { allow, name }
                    if name == "all" || categories.contains(&name.as_str()) =>
                {
                    allowed = *allow;
                }
                Rule::Selector(rules) => by_selector |= rules.allows(command),
                Rule::ClearSelectors => by_selector = false,
                _ => {}
            }
        }
        allowed || by_selector
    }

    /// Whether the rules allow publishing and subscribing to `channel` (a literal name).
    pub fn allows_channel(&self, channel: &str) -> bool {
        let mut patterns: Vec<&str> = Vec::new();
        for rule in &self.0 {
            match rule {
                Rule::Channel(Some(p)) => patterns.push(p),
                Rule::Channel(None) => patterns.clear(),
                _ => {}
            }
        }
        patterns.iter().any(|p| glob(p, channel))
    }

    /// The commands of `needs` the rules refuse, in order.
    pub fn refused<'n>(&self, needs: &[&'n str]) -> Vec<&'n str> {
        needs.iter().copied().filter(|c| !self.allows(c)).collect()
    }

    /// The commands of `commands` the rules allow, in order.
    pub fn allowed<'n>(&self, commands: &[&'n str]) -> Vec<&'n str> {
        commands
            .iter()
            .copied()
            .filter(|c| self.allows(c))
            .collect()
    }
}

/// What rules `text` keep a login from doing, of `needs` and the channel `channel`: the
/// commands and the channel it is refused, or why the rules do not parse (Redis then refuses
/// the whole aclfile). Empty when the login can do its job.
pub fn locked_out(text: &str, needs: &[&str], channel: Option<&str>) -> Result<Vec<String>, Error> {
    let rules = Rules::parse(text)?;
    let mut refused: Vec<String> = rules
        .refused(needs)
        .iter()
        .map(|c| format!("`{}`", c.replace('|', " ").to_ascii_uppercase()))
        .collect();
    if let Some(channel) = channel.filter(|c| !rules.allows_channel(c)) {
        refused.push(format!("the channel `{channel}`"));
    }
    Ok(refused)
}

fn parse_one(word: &str) -> Result<Rule, Error> {
    let lower = word.to_ascii_lowercase();
    let rule = match lower.as_str() {
        "allcommands" => Rule::Category {
            allow: true,
            name: "all".to_owned(),
        },
        "nocommands" => Rule::Category {
            allow: false,
            name: "all".to_owned(),
        },
        "allchannels" => Rule::Channel(Some("*".to_owned())),
        "clearselectors" => Rule::ClearSelectors,
        "resetchannels" => Rule::Channel(None),
        "on" | "off" | "allkeys" | "resetkeys" | "sanitize-payload" | "skip-sanitize-payload" => {
            Rule::Other
        }
        "nopass" => return Err(Error::NoPass),
        "reset" | "resetpass" => return Err(Error::Reset(word.to_owned())),
        _ => match lower.as_bytes()[0] {
            b'>' | b'<' | b'#' | b'!' => return Err(Error::Password),
            b'+' | b'-' if lower.len() > 1 => {
                let allow = lower.starts_with('+');
                match lower[1..].strip_prefix('@') {
                    Some(cat) if !cat.is_empty() => Rule::Category {
                        allow,
                        name: cat.to_owned(),
                    },
                    Some(_) => return Err(Error::Unknown(word.to_owned())),
                    None => Rule::Command {
                        allow,
                        name: lower[1..].to_owned(),
                    },
                }
            }
            b'&' => Rule::Channel(Some(word[1..].to_owned())),
            b'~' => Rule::Other,
            b'%' if lower.contains('~') => Rule::Other,
            _ => return Err(Error::Unknown(word.to_owned())),
        },
    };
    Ok(rule)
}

fn categories(command: &str) -> &'static [&'static str] {
    CATEGORIES
        .iter()
        .find(|(name, _)| *name == command)
        .map_or(&[], |(_, cats)| cats)
}

/// Redis' channel patterns, as far as this module needs them: `*` and literal text.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => text.strip_prefix(head).is_some_and(|rest| {
            (0..=rest.len()).any(|i| rest.is_char_boundary(i) && glob(tail, &rest[i..]))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows() {
        let cases: &[(&str, &str, bool)] = &[
            (REPLICATION_RULES, "psync", true),
            (REPLICATION_RULES, "replconf", true),
            (REPLICATION_RULES, "info", false),
            ("", "ping", false),
            ("+@all", "flushall", true),
            ("allcommands", "debug", true),
            ("+@all -@dangerous", "flushall", false),
            ("+@all -@dangerous", "ping", true),
            ("+@all -@dangerous +flushall", "flushall", true),
            ("+@read +@write", "flushall", true),
            ("+@read +@write -@dangerous", "flushall", false),
            ("+config", "config|set", true),
            ("+config|get", "config|set", false),
            ("+config|get", "config|get", true),
            ("+config -config|set", "config|rewrite", true),
            ("+config -config|set", "config|set", false),
            ("+@admin", "psync", true),
            ("+@all -psync", "psync", false),
            ("+@all nocommands +ping", "info", false),
            ("+PSYNC", "psync", true),
            ("~app:* +@read", "get", false),
            ("~app:* (~cache:* +get)", "get", true),
            ("(~cache:* +flushall) -@all", "flushall", true),
            ("(+get ~a) clearselectors", "get", false),
            ("( +get ~a )", "get", true),
        ];
        for (rules, command, expected) in cases {
            let parsed = Rules::parse(rules).unwrap();
            assert_eq!(
                parsed.allows(command),
                *expected,
                "{rules:?} allows {command}"
            );
        }
    }

    #[test]
    fn default_logins_allow_what_they_need() {
        let sets = [
            (REPLICATION_RULES, REPLICATION_NEEDS),
            (SENTINEL_RULES, SENTINEL_NEEDS),
            (CHART_RULES, CHART_NEEDS),
        ];
        for (rules, needs) in sets {
            let parsed = Rules::parse(rules).unwrap();
            assert_eq!(parsed.refused(needs), Vec::<&str>::new(), "{rules}");
            assert_eq!(parsed.allowed(DANGEROUS), Vec::<&str>::new(), "{rules}");
        }
        assert!(
            Rules::parse(SENTINEL_RULES)
                .unwrap()
                .allows_channel(SENTINEL_CHANNEL)
        );
        assert!(
            !Rules::parse(CHART_RULES)
                .unwrap()
                .allows_channel(SENTINEL_CHANNEL)
        );
    }

    #[test]
    fn channels() {
        let cases: &[(&str, bool)] = &[
            ("", false),
            ("&__sentinel__:hello", true),
            ("&__sentinel__:*", true),
            ("allchannels", true),
            ("allchannels resetchannels", false),
            ("&other", false),
        ];
        for (rules, expected) in cases {
            let parsed = Rules::parse(rules).unwrap();
            assert_eq!(
                parsed.allows_channel(SENTINEL_CHANNEL),
                *expected,
                "{rules:?}"
            );
        }
    }

    #[test]
    fn refuses() {
        let cases: &[(&str, Error)] = &[
            (">secret +@all", Error::Password),
            ("#abc", Error::Password),
            ("nopass +@all", Error::NoPass),
            ("reset +@all", Error::Reset("reset".to_owned())),
            ("+@ ", Error::Unknown("+@".to_owned())),
            ("get", Error::Unknown("get".to_owned())),
            ("(~a +get", Error::Selector("(~a +get".to_owned())),
            ("(~a (+get))", Error::Selector("(~a (+get)".to_owned())),
            ("(~a >pw)", Error::Password),
            ("+get)", Error::Unknown("+get)".to_owned())),
        ];
        for (rules, expected) in cases {
            assert_eq!(Rules::parse(rules).unwrap_err(), *expected, "{rules:?}");
        }
    }
}

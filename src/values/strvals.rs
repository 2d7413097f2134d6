//! The grammar of the `--set` family of flags (`--set`, `--set-string`, `--set-file`,
//! `--set-literal`, `--set-json`), ported from Helm's `pkg/strvals`.
//!
//! This module owns how one flag argument is split into `key=value` assignments, how keys
//! are walked (`a.b`, `a[0]`, `a[0].b`, `a[1][1]`, `\` escapes), how values are read
//! (`{x,y}` lists, typed scalars for `--set`, JSON for `--set-json`, the rest of the
//! argument for `--set-literal`), Helm's limits (30 nested names, index 65536), and the
//! [`Origin`] each created node carries. Helm's behaviour is kept, quirks included, because
//! users copy `--set` lines between the two tools and expect the same values.
//!
//! It leaves to others: reading a `--set-file` path (the caller's `read_file` decides what
//! `-`, URLs and relative paths mean), the order in which flags are applied (Helm applies
//! `-f`, then `--set-json`, `--set`, `--set-string`, `--set-file`, `--set-literal`),
//! coalescing with chart defaults, and schema validation.
//!
//! Where this port differs from Helm, on purpose:
//! - malformed input that Helm silently drops is an error: an unclosed `[` (Helm stops
//!   parsing and keeps what it had) and an empty key (`=x`, `a[0].=x`, which Helm skips);
//! - where Helm fails on a type mismatch because of a panic (`a.b=1` or `a[0]=1` when `a`
//!   is a scalar or null), the scalar is replaced; a map addressed as a list, or a list as a
//!   map, is still an error, as in Helm;
//! - a path may nest at most 256 list indices (Helm has no bound; here each is a stack frame);
//! - all the flags of one command may create at most [`MAX_LIST_ITEMS`] list items and
//!   hold at most [`MAX_TOTAL_BYTES`] of text ([`Budget`]): Helm bounds each index, but a few
//!   hundred `a[65536]` paths would still allocate gigabytes;
//! - an error shows the argument with the values of secret keys hidden ([`crate::secrets`]);
//! - `--set-json` numbers keep their JSON type (`3` is an integer) where Go makes every
//!   number a float64, and a lone UTF-16 surrogate escape (`"\ud800"`) is an error where Go
//!   substitutes U+FFFD.

use std::sync::Arc;

use crate::values::node::{Map, Node, Origin, Value};

/// Helm's `strvals.MaxIndex`: larger indices would let one flag allocate huge lists.
const MAX_INDEX: usize = 65536;

/// Helm's `strvals.MaxNestedNameLevel`: bounds recursion on hostile input.
const MAX_NESTED_NAME_LEVEL: usize = 30;

/// Not in Helm, which does not bound `a[0][0]...` (Go stacks grow); here each index is a
/// stack frame, and an argument can hold tens of thousands of them.
const MAX_NESTED_INDICES: usize = 256;

/// How many list items (nulls padding a list included) all the `--set` family flags of one
/// command may create: four maximal indices.
pub const MAX_LIST_ITEMS: usize = 4 * (MAX_INDEX + 1);

/// How much text all the `--set` family flags of one command may hold (files read by
/// `--set-file` not counted): more belongs in a values file.
pub const MAX_TOTAL_BYTES: usize = 4 << 20;

/// What the flags of one command may still create; shared by every [`apply_within`] call.
#[derive(Clone, Debug)]
pub struct Budget {
    list_items: usize,
    bytes: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            list_items: MAX_LIST_ITEMS,
            bytes: MAX_TOTAL_BYTES,
        }
    }
}

/// Which flag of the family an argument came from; it decides how values are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetKind {
    /// `--set-json`: values are JSON documents; an empty value is `null`.
    Json,
    /// `--set`: values are typed (`true`, `false`, `null`, integers), else strings.
    Set,
    /// `--set-string`: every value is a string.
    String,
    /// `--set-file`: every value is a path, replaced by the file's contents.
    File,
    /// `--set-literal`: one assignment; everything after the first `=` is the value.
    Literal,
}

impl SetKind {
    /// The flag as typed on the command line.
    pub fn flag(self) -> &'static str {
        match self {
            SetKind::Json => "--set-json",
            SetKind::Set => "--set",
            SetKind::String => "--set-string",
            SetKind::File => "--set-file",
            SetKind::Literal => "--set-literal",
        }
    }
}

/// A flag argument that could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{flag} `{arg}`: {message} at column {column}")]
pub struct SetError {
    /// The flag, as [`SetKind::flag`] spells it.
    pub flag: &'static str,
    /// The whole argument, as typed.
    pub arg: String,
    /// 1-based column (in characters) in `arg` where the problem was found.
    pub column: usize,
    /// What went wrong and what was expected, lowercase.
    pub message: String,
}

/// Parses one flag argument (which may hold several comma-separated assignments) and applies
/// it to `into`, in place, as Helm's `strvals.ParseInto` / `ParseIntoString` /
/// `ParseIntoFile` / `ParseLiteralInto` / `ParseJSON` do.
///
/// Every node the argument creates carries [`Origin::Flag`] with the single `key=value`
/// assignment that created it; nodes that already existed keep their origin.
/// On error `into` is left as it was (Helm aborts the whole command in that case, so the
/// partial update it leaves behind is never observable there either).
///
/// For `--set-json`, an argument that is a JSON object (`{"a":{"b":1}}`) is deep-merged into
/// `into`, as Helm 4's command line does before it falls back to `key=json` assignments.
pub fn apply(
    arg: &str,
    kind: SetKind,
    into: &mut Map,
    read_file: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<(), SetError> {
    let mut work = into.clone();
    apply_within(arg, kind, &mut work, read_file, &mut Budget::default())?;
    *into = work;
    Ok(())
}

/// [`apply`] in place, charging what the argument creates to `budget`, which the caller
/// shares between all the flags of one command. On error `into` may hold part of the
/// argument: the caller aborts the command. (Copying `into` for every flag, as [`apply`]
/// does, would make ten thousand flags quadratic.)
pub fn apply_within(
    arg: &str,
    kind: SetKind,
    into: &mut Map,
    read_file: &mut dyn FnMut(&str) -> Result<String, String>,
    budget: &mut Budget,
) -> Result<(), SetError> {
    let Some(left) = budget.bytes.checked_sub(arg.len()) else {
        return Err(SetError {
            flag: kind.flag(),
            arg: shown_arg(kind, arg),
            column: 1,
            message: format!(
                "the `--set` family flags hold more than {MAX_TOTAL_BYTES} bytes in total\n  hint: put large values in a values file (`-f FILE`)"
            ),
        });
    };
    budget.bytes = left;
    if kind == SetKind::Json && arg.trim().starts_with('{') {
        merge_json_object(arg, into)
    } else {
        Parser {
            arg,
            chars: arg.chars().collect(),
            pos: 0,
            kind,
            read_file,
            frag_start: 0,
            value_end: None,
            budget,
        }
        .parse(into)
    }
}

/// The argument as an error shows it: secret values hidden.
fn shown_arg(kind: SetKind, arg: &str) -> String {
    crate::secrets::redact_set_arg(arg, matches!(kind, SetKind::Json | SetKind::Literal))
}

/// Helm 4's `--set-json '{...}'`: the object is merged as `loader.MergeMaps` does, maps into
/// maps recursively, anything else replacing what was there.
fn merge_json_object(arg: &str, into: &mut Map) -> Result<(), SetError> {
    let trimmed = arg.trim();
    let lead = arg.len() - arg.trim_start().len();
    match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(trimmed) {
        Ok(object) => {
            let origin = Origin::Flag {
                flag: SetKind::Json.flag(),
                fragment: Arc::from(arg),
            };
            merge_maps(into, &object, &origin);
            Ok(())
        }
        Err(e) => Err(SetError {
            flag: SetKind::Json.flag(),
            arg: shown_arg(SetKind::Json, arg),
            column: char_count(arg, lead) + json_error_offset(trimmed, &e) + 1,
            message: format!("invalid json object: {}", json_error_message(&e)),
        }),
    }
}

fn merge_maps(dest: &mut Map, src: &serde_json::Map<String, serde_json::Value>, origin: &Origin) {
    for (k, v) in src {
        if let serde_json::Value::Object(inner) = v
            && let Some(Node {
                value: Value::Map(existing),
                ..
            }) = dest.get_mut(k)
        {
            merge_maps(existing, inner, origin);
            continue;
        }
        dest.insert(k.clone(), Node::from_json(v, origin));
    }
}

/// Why parsing stopped early. `Eof` mirrors Helm's use of `io.EOF`: reaching the end of the
/// input where a key could start, right after `a[0]` / `a.`, or right after a final `=`, is
/// not an error, and Helm keeps only what the path had stored so far (`noval[0]` gives
/// `noval: []`).
enum Halt {
    Eof,
    Fail(SetError),
}

type Step<T = ()> = Result<T, Halt>;

/// Result of looking for a `{x,y}` list where a value starts.
enum ValList {
    List(Vec<Value>),
    Eof,
    NotList,
}

struct Parser<'a> {
    arg: &'a str,
    chars: Vec<char>,
    pos: usize,
    kind: SetKind,
    read_file: &'a mut dyn FnMut(&str) -> Result<String, String>,
    /// Where the current top-level assignment starts, for its origin's fragment.
    frag_start: usize,
    /// Where the current assignment's value ends (before any separating comma); `None`
    /// until a value was read, in which case the fragment runs to the current position.
    value_end: Option<usize>,
    budget: &'a mut Budget,
}

impl Parser<'_> {
    fn parse(&mut self, data: &mut Map) -> Result<(), SetError> {
        loop {
            self.frag_start = self.pos;
            self.value_end = None;
            match self.key(data, 0, 0) {
                Ok(()) => {}
                Err(Halt::Eof) => return Ok(()),
                Err(Halt::Fail(e)) => return Err(e),
            }
        }
    }

    fn literal(&self) -> bool {
        self.kind == SetKind::Literal
    }

    fn error(&self, at: usize, message: impl Into<String>) -> Halt {
        Halt::Fail(SetError {
            flag: self.kind.flag(),
            arg: shown_arg(self.kind, self.arg),
            column: at + 1,
            message: message.into(),
        })
    }

    fn fail<T>(&self, at: usize, message: impl Into<String>) -> Step<T> {
        Err(self.error(at, message))
    }

    fn origin(&self) -> Origin {
        let end = self
            .value_end
            .unwrap_or(self.pos)
            .clamp(self.frag_start, self.chars.len());
        let fragment: String = self.chars[self.frag_start..end].iter().collect();
        Origin::Flag {
            flag: self.kind.flag(),
            fragment: Arc::from(fragment),
        }
    }

    /// Helm's `runesUntil`: reads up to (and consumes) the first stop character, resolving
    /// `\x` to `x` except for `--set-literal`. Returns the stop character and its position,
    /// or `None` at the end of the input (a trailing lone `\` is dropped, as in Helm).
    fn runes_until(&mut self, stop: &[char]) -> (String, Option<(char, usize)>) {
        let escapes = !self.literal();
        let mut text = String::new();
        while let Some(&c) = self.chars.get(self.pos) {
            let at = self.pos;
            self.pos += 1;
            if stop.contains(&c) {
                return (text, Some((c, at)));
            }
            if escapes && c == '\\' {
                match self.chars.get(self.pos) {
                    Some(&next) => {
                        self.pos += 1;
                        text.push(next);
                    }
                    None => return (text, None),
                }
            } else {
                text.push(c);
            }
        }
        (text, None)
    }

    fn key(&mut self, data: &mut Map, level: usize, indices: usize) -> Step {
        let start = self.pos;
        // `--set-literal` has no `,` separator: `a,b=1` is the key `a,b`.
        let stop: &[char] = if self.literal() {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (k, last) = self.runes_until(stop);
        let Some((last, at)) = last else {
            if k.is_empty() {
                return Err(Halt::Eof);
            }
            return self.fail(self.pos, format!("key `{k}` has no value: expected `=`"));
        };
        if k.is_empty() {
            return match last {
                ',' => self.fail(at, "empty assignment: expected `key=value` before `,`"),
                _ => self.fail(at, format!("expected a key name before `{last}`")),
            };
        }
        match last {
            '[' => {
                let (i, idx_at) = self.key_index()?;
                match data.get_mut(&k) {
                    Some(Node {
                        value: Value::Seq(list),
                        ..
                    }) => self.list_item(list, i, idx_at, level, indices + 1),
                    Some(Node {
                        value: Value::Map(_),
                        ..
                    }) => self.fail(
                        start,
                        format!("cannot index `{k}` as a list: it holds a map"),
                    ),
                    _ => {
                        let mut list = Vec::new();
                        let result = self.list_item(&mut list, i, idx_at, level, indices + 1);
                        if !matches!(result, Err(Halt::Fail(_))) {
                            data.insert(k, Node::new(Value::Seq(list), self.origin()));
                        }
                        result
                    }
                }
            }
            '=' => {
                let (node, at_end) = self.value()?;
                data.insert(k, node);
                // Helm reports the end of input here (not in a list item), so a map that a
                // list item is still building is dropped: `a[0].b=` at the very end of the
                // argument leaves `a: []`, while `a[0].b=,` and `a.b=` set an empty string.
                if at_end { Err(Halt::Eof) } else { Ok(()) }
            }
            ',' => self.fail(at, format!("key `{k}` has no value (cannot end with `,`)")),
            _ => {
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return self.fail(
                        at,
                        format!(
                            "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                        ),
                    );
                }
                match data.get_mut(&k) {
                    Some(Node {
                        value: Value::Map(inner),
                        ..
                    }) => {
                        let result = self.key(inner, level, indices);
                        // Helm's guard against `a.` paths that set nothing; with empty keys
                        // rejected above it cannot trigger, but keeps the port faithful.
                        if result.is_ok() && inner.is_empty() {
                            return self.fail(at, format!("key map `{k}` has no value"));
                        }
                        result
                    }
                    Some(Node {
                        value: Value::Seq(_),
                        ..
                    }) => self.fail(start, format!("cannot use `{k}` as a map: it holds a list")),
                    _ => {
                        let mut inner = Map::new();
                        let result = self.key(&mut inner, level, indices);
                        if result.is_ok() && inner.is_empty() {
                            return self.fail(at, format!("key map `{k}` has no value"));
                        }
                        // An existing scalar is only replaced once the path set something.
                        if !inner.is_empty() && !matches!(result, Err(Halt::Fail(_))) {
                            data.insert(k, Node::new(Value::Map(inner), self.origin()));
                        }
                        result
                    }
                }
            }
        }
    }

    /// Helm's `keyIndex`: the integer between `[` and `]` and where it starts.
    fn key_index(&mut self) -> Step<(i64, usize)> {
        let start = self.pos;
        let (text, last) = self.runes_until(&[']']);
        if last.is_none() {
            // Point just past the digits, where the `]` should have been.
            let digits = self.chars[start..]
                .iter()
                .enumerate()
                .take_while(|&(n, &c)| c.is_ascii_digit() || (n == 0 && (c == '-' || c == '+')))
                .count();
            let message = if digits == 0 {
                "expected a list index and `]` after `[`"
            } else {
                "expected `]` after the index"
            };
            return self.fail(start + digits, message);
        }
        // Go's `strconv.Atoi` and Rust's `i64` parser accept the same strings: an optional
        // sign and ASCII digits.
        match text.parse::<i64>() {
            Ok(i) => Ok((i, start)),
            Err(_) => self.fail(
                start,
                format!("error parsing index: expected an integer inside `[]`, found `{text}`"),
            ),
        }
    }

    fn list_item(
        &mut self,
        list: &mut Vec<Node>,
        i: i64,
        idx_at: usize,
        level: usize,
        indices: usize,
    ) -> Step {
        if indices > MAX_NESTED_INDICES {
            return self.fail(
                idx_at,
                format!(
                    "list index nested level is greater than maximum supported nested level of {MAX_NESTED_INDICES}"
                ),
            );
        }
        if i < 0 {
            return self.fail(idx_at, format!("negative {i} index not allowed"));
        }
        let start = self.pos;
        let (k, last) = self.runes_until(&['[', '.', '=']);
        if !k.is_empty() {
            return self.fail(
                start,
                format!(
                    "unexpected data at end of array index: `{k}`, expected `.`, `[` or `=` after `]`"
                ),
            );
        }
        let Some((last, _)) = last else {
            return Err(Halt::Eof);
        };
        let existing = usize::try_from(i).ok().filter(|&n| n < list.len());
        match last {
            '=' => {
                let (node, _) = self.value()?;
                self.set_index(list, i, idx_at, node)
            }
            '[' => {
                let (next, next_at) = self.key_index()?;
                match existing.and_then(|n| list.get_mut(n)) {
                    Some(Node {
                        value: Value::Seq(inner),
                        ..
                    }) => {
                        self.list_item(inner, next, next_at, level, indices + 1)?;
                        self.check_index(i, idx_at).map(|_| ())
                    }
                    Some(Node {
                        value: Value::Map(_),
                        ..
                    }) => self.fail(
                        idx_at,
                        format!("cannot index element {i} as a list: it holds a map"),
                    ),
                    _ => {
                        let mut inner = Vec::new();
                        self.list_item(&mut inner, next, next_at, level, indices + 1)?;
                        let node = Node::new(Value::Seq(inner), self.origin());
                        self.set_index(list, i, idx_at, node)
                    }
                }
            }
            _ => {
                // Helm resets any non-map element to an empty map here ("indices out of
                // order"), before the rest of the path is read, so even `a[0].` with nothing
                // after it leaves the element reset.
                let mut replaced = false;
                if let Some(node) = existing.and_then(|n| list.get_mut(n))
                    && !matches!(node.value, Value::Map(_))
                {
                    *node = Node::new(Value::Map(Map::new()), self.origin());
                    replaced = true;
                }
                match existing.and_then(|n| list.get_mut(n)) {
                    Some(Node {
                        value: Value::Map(inner),
                        origin,
                    }) => {
                        let result = self.key(inner, level, indices);
                        if replaced {
                            *origin = self.origin();
                        }
                        result?;
                        self.check_index(i, idx_at).map(|_| ())
                    }
                    _ => {
                        let mut inner = Map::new();
                        self.key(&mut inner, level, indices)?;
                        let node = Node::new(Value::Map(inner), self.origin());
                        self.set_index(list, i, idx_at, node)
                    }
                }
            }
        }
    }

    fn check_index(&self, i: i64, idx_at: usize) -> Step<usize> {
        if i < 0 {
            return self.fail(idx_at, format!("negative {i} index not allowed"));
        }
        match usize::try_from(i) {
            Ok(n) if n <= MAX_INDEX => Ok(n),
            _ => self.fail(
                idx_at,
                format!("index of {i} is greater than maximum supported index of {MAX_INDEX}"),
            ),
        }
    }

    /// Helm's `setIndex`: a list shorter than the index is padded with nulls.
    fn set_index(&mut self, list: &mut Vec<Node>, i: i64, idx_at: usize, node: Node) -> Step {
        let n = self.check_index(i, idx_at)?;
        if list.len() <= n {
            let added = n + 1 - list.len();
            let Some(left) = self.budget.list_items.checked_sub(added) else {
                return self.fail(
                    idx_at,
                    format!(
                        "the `--set` family flags would create more than {MAX_LIST_ITEMS} list items in total\n  hint: set long lists in a values file (`-f FILE`), or use smaller indices"
                    ),
                );
            };
            self.budget.list_items = left;
            list.resize(n + 1, Node::new(Value::Null, self.origin()));
        }
        list[n] = node;
        Ok(())
    }

    /// The value after `=`, as the flag reads it, with the origin of the whole assignment,
    /// and whether it was empty because the input ended right after the `=`.
    fn value(&mut self) -> Step<(Node, bool)> {
        match self.kind {
            SetKind::Literal => {
                let text: String = self.chars[self.pos..].iter().collect();
                self.pos = self.chars.len();
                self.value_end = Some(self.pos);
                Ok((Node::new(Value::Str(text), self.origin()), false))
            }
            SetKind::Json => Ok((self.json_value()?, false)),
            SetKind::Set | SetKind::String | SetKind::File => {
                let mut at_end = false;
                let value = match self.val_list()? {
                    ValList::List(items) => {
                        let origin = self.origin();
                        Value::Seq(
                            items
                                .into_iter()
                                .map(|v| Node::new(v, origin.clone()))
                                .collect(),
                        )
                    }
                    // `a=` at the end of the argument: an empty string, with no file read.
                    ValList::Eof => {
                        self.value_end = Some(self.pos);
                        at_end = true;
                        Value::Str(String::new())
                    }
                    ValList::NotList => {
                        let start = self.pos;
                        let (text, last) = self.runes_until(&[',']);
                        self.value_end = Some(last.map_or(self.pos, |(_, at)| at));
                        self.reader(text, start)?
                    }
                };
                Ok((Node::new(value, self.origin()), at_end))
            }
        }
    }

    /// Helm's `valList`: a `{x,y}` list if the value starts with `{`. Every item goes through
    /// the flag's reader, so `--set-file a={p,q}` reads two files and `a={}` is `[""]`.
    fn val_list(&mut self) -> Step<ValList> {
        match self.chars.get(self.pos) {
            None => return Ok(ValList::Eof),
            Some('{') => {}
            Some(_) => return Ok(ValList::NotList),
        }
        let open = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            let start = self.pos;
            let (text, last) = self.runes_until(&[',', '}']);
            match last {
                None => {
                    return self.fail(
                        self.pos,
                        format!(
                            "list must terminate with `}}`: expected `}}` to close the `{{` at column {}",
                            open + 1
                        ),
                    );
                }
                Some(('}', _)) => {
                    self.value_end = Some(self.pos);
                    if self.chars.get(self.pos) == Some(&',') {
                        self.pos += 1;
                    }
                    items.push(self.reader(text, start)?);
                    return Ok(ValList::List(items));
                }
                Some(_) => items.push(self.reader(text, start)?),
            }
        }
    }

    fn reader(&mut self, text: String, at: usize) -> Step<Value> {
        match self.kind {
            SetKind::Set => Ok(typed_val(text)),
            SetKind::File => match (self.read_file)(&text) {
                Ok(contents) => Ok(Value::Str(contents)),
                Err(e) => self.fail(at, format!("cannot read file `{text}`: {e}")),
            },
            SetKind::String | SetKind::Literal | SetKind::Json => Ok(Value::Str(text)),
        }
    }

    /// Helm's `emptyVal`: skips blanks; at a `,` (consumed) or the end the value is empty,
    /// and its end (where the `,` was) is returned.
    fn empty_val(&mut self) -> Option<usize> {
        while let Some(&c) = self.chars.get(self.pos) {
            if c == ',' {
                self.pos += 1;
                return Some(self.pos - 1);
            }
            if !c.is_whitespace() {
                return None;
            }
            self.pos += 1;
        }
        Some(self.pos)
    }

    /// One JSON document, then optional blanks and a `,`. Like Go's `json.Decoder`, only the
    /// document is consumed; whatever follows is parsed as the next key.
    fn json_value(&mut self) -> Step<Node> {
        if let Some(end) = self.empty_val() {
            self.value_end = Some(end);
            return Ok(Node::new(Value::Null, self.origin()));
        }
        let start = self.pos;
        let rest: String = self.chars[start..].iter().collect();
        match decode_json_prefix(&rest) {
            Ok((json, len)) => {
                self.pos = start + char_count(&rest, len);
                self.value_end = Some(self.pos);
                let node = Node::from_json(&json, &self.origin());
                self.empty_val();
                Ok(node)
            }
            Err((at, message)) => self.fail(start + at, format!("invalid json value: {message}")),
        }
    }
}

/// Go's `json.Decoder.Decode` on the rest of the argument: the first JSON document and its
/// length in bytes, or where (in characters) and why it is invalid.
fn decode_json_prefix(text: &str) -> Result<(serde_json::Value, usize), (usize, String)> {
    // Go ends a number or `true`/`false`/`null` at the first character that cannot continue
    // it (`1x` is 1 followed by the key `x`; `007` is 0 followed by `07`), where serde_json
    // rejects such trailing text; so scalars are delimited here and serde_json sees only them.
    let doc = text.get(..json_scalar_len(text)).unwrap_or(text);
    let mut stream = serde_json::Deserializer::from_str(doc).into_iter::<serde_json::Value>();
    match stream.next() {
        Some(Ok(json)) => Ok((json, stream.byte_offset())),
        Some(Err(e)) => Err((json_error_offset(doc, &e), json_error_message(&e))),
        None => Err((0, "expected a json value".to_owned())),
    }
}

/// The bytes of `text` that Go's JSON scanner reads for a leading number or literal: the
/// whole token, or up to and including the first character that makes it invalid (so that
/// serde_json reports the error). Objects, arrays and strings delimit themselves: all of
/// `text` is returned for them.
fn json_scalar_len(text: &str) -> usize {
    let b = text.as_bytes();
    let digits = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    // Include the offending character, whole, so the error names it.
    let invalid_at = |i: usize| {
        let mut end = (i + 1).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        end
    };
    let word = match b.first() {
        Some(b't') => "true",
        Some(b'f') => "false",
        Some(b'n') => "null",
        Some(b'-' | b'0'..=b'9') => "",
        _ => return text.len(),
    };
    if !word.is_empty() {
        let same = b
            .iter()
            .zip(word.as_bytes())
            .take_while(|(x, y)| x == y)
            .count();
        return if same == word.len() {
            same
        } else {
            invalid_at(same)
        };
    }
    let mut i = usize::from(b.first() == Some(&b'-'));
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(i + 1),
        _ => return invalid_at(i),
    }
    if b.get(i) == Some(&b'.') {
        if !b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            return invalid_at(i + 1);
        }
        i = digits(i + 1);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return invalid_at(i);
        }
        i = digits(i);
    }
    i
}

/// Helm's `typedVal` for `--set`. Only integers are inferred (`1.5` stays a string), and a
/// leading `0` keeps the value a string (`0777`, `00`) except `0` itself; a sign before the
/// zeros does not (`-007` is -7), as in Helm.
fn typed_val(text: String) -> Value {
    if eq_fold(&text, "true") {
        return Value::Bool(true);
    }
    if eq_fold(&text, "false") {
        return Value::Bool(false);
    }
    if eq_fold(&text, "null") {
        return Value::Null;
    }
    if text == "0" {
        return Value::Int(0);
    }
    if !text.is_empty()
        && !text.starts_with('0')
        && let Ok(i) = text.parse::<i64>()
    {
        return Value::Int(i);
    }
    Value::Str(text)
}

/// Go's `strings.EqualFold` against an ASCII lowercase word. Of the letters in `true`,
/// `false` and `null`, only `s` has a non-ASCII case partner (U+017F, long s).
fn eq_fold(text: &str, word: &str) -> bool {
    text.chars().count() == word.len()
        && text
            .chars()
            .zip(word.chars())
            .all(|(c, w)| c.to_ascii_lowercase() == w || (w == 's' && c == '\u{17F}'))
}

/// The number of characters in the first `bytes` bytes of `text` (rounded down to a
/// character boundary).
fn char_count(text: &str, bytes: usize) -> usize {
    let mut end = bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].chars().count()
}

/// Where in `text`, in characters, serde_json's line and (byte) column point.
fn json_error_offset(text: &str, e: &serde_json::Error) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum();
    char_count(text, line_start + e.column().saturating_sub(1))
}

/// serde_json's message without its own position: the error's column replaces it.
fn json_error_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SetKind::String as Str;
    use SetKind::{File, Json, Literal, Set};

    /// The expected values as compact JSON, or a substring of the error.
    type Want = Result<&'static str, &'static str>;
    /// Flag arguments applied in order.
    type Args = Vec<(SetKind, &'static str)>;

    fn files(path: &str) -> Result<String, String> {
        match path {
            "path1" => Ok("value1".to_owned()),
            "path2" => Ok("value2".to_owned()),
            _ => Err("no such file or directory".to_owned()),
        }
    }

    fn initial(json: &str) -> Map {
        let json: serde_json::Value = serde_json::from_str(json).expect("test input is JSON");
        match Node::from_json(&json, &Origin::Computed).value {
            Value::Map(map) => map,
            _ => panic!("test input is not an object"),
        }
    }

    fn as_json(map: &Map) -> serde_json::Value {
        Node::new(Value::Map(map.clone()), Origin::Computed).to_json()
    }

    /// Applies `args` in order to `start`; the values as JSON, or the first error's text.
    fn run(start: &str, args: &[(SetKind, &str)]) -> Result<serde_json::Value, String> {
        let mut map = initial(start);
        for (kind, arg) in args {
            apply(arg, *kind, &mut map, &mut files).map_err(|e| e.to_string())?;
        }
        Ok(as_json(&map))
    }

    fn check(label: &str, got: Result<serde_json::Value, String>, want: Want) {
        match (got, want) {
            (Ok(got), Ok(want)) => {
                let want: serde_json::Value =
                    serde_json::from_str(want).expect("expected value is JSON");
                assert_eq!(got, want, "{label}");
            }
            (Err(got), Err(want)) => {
                assert!(got.contains(want), "{label}: error `{got}` lacks `{want}`");
            }
            (got, want) => panic!("{label}: got {got:?}, want {want:?}"),
        }
    }

    /// `name1.name2. ... .nameN=value`: N names, N-1 dots.
    fn nested(names: usize) -> String {
        let path: Vec<String> = (1..=names).map(|i| format!("name{i}")).collect();
        format!("{}=value", path.join("."))
    }

    #[test]
    fn single_arguments() {
        const NESTED: &str =
            "value name nested level is greater than maximum supported nested level of 30";
        let deep_ok = nested(MAX_NESTED_NAME_LEVEL + 1);
        let deep_err = nested(MAX_NESTED_NAME_LEVEL + 2);
        let indices_ok = format!("a{}=1", "[0]".repeat(MAX_NESTED_INDICES));
        let indices_err = format!("a{}=1", "[0].b".repeat(MAX_NESTED_INDICES + 1));
        #[rustfmt::skip]
        let cases: Vec<(SetKind, &str, Want)> = vec![
            // Helm: TestParseSet.
            (Set, "name1=null,f=false,t=true", Ok(r#"{"name1":null,"f":false,"t":true}"#)),
            (Set, "name1=value1", Ok(r#"{"name1":"value1"}"#)),
            (Set, "name1=value1,name2=value2", Ok(r#"{"name1":"value1","name2":"value2"}"#)),
            (Set, "name1=value1,name2=value2,", Ok(r#"{"name1":"value1","name2":"value2"}"#)),
            (Set, "name1=value1,,,,name2=value2,", Err("expected `key=value` before `,` at column 14")),
            (Set, "name1=,name2=value2", Ok(r#"{"name1":"","name2":"value2"}"#)),
            (Set, "leading_zeros=00009", Ok(r#"{"leading_zeros":"00009"}"#)),
            (Set, "zero_int=0", Ok(r#"{"zero_int":0}"#)),
            (Set, "long_int=1234567890", Ok(r#"{"long_int":1234567890}"#)),
            (Set, "boolean=true", Ok(r#"{"boolean":true}"#)),
            (Set, "is_null=null", Ok(r#"{"is_null":null}"#)),
            (Set, "name1,name2=", Err("key `name1` has no value (cannot end with `,`) at column 6")),
            (Set, "name1,name2=value2", Err("key `name1` has no value")),
            (Set, "name1,name2=value2\\", Err("key `name1` has no value")),
            (Set, "name1,name2", Err("key `name1` has no value")),
            (Set, "name1=one\\,two,name2=three\\,four", Ok(r#"{"name1":"one,two","name2":"three,four"}"#)),
            (Set, "name1=one\\=two,name2=three\\=four", Ok(r#"{"name1":"one=two","name2":"three=four"}"#)),
            (Set, "name1=one two three,name2=three two one", Ok(r#"{"name1":"one two three","name2":"three two one"}"#)),
            (Set, "outer.inner=value", Ok(r#"{"outer":{"inner":"value"}}"#)),
            (Set, "outer.middle.inner=value", Ok(r#"{"outer":{"middle":{"inner":"value"}}}"#)),
            (Set, "outer.inner1=value,outer.inner2=value2", Ok(r#"{"outer":{"inner1":"value","inner2":"value2"}}"#)),
            (Set, "outer.inner1=value,outer.middle.inner=value", Ok(r#"{"outer":{"inner1":"value","middle":{"inner":"value"}}}"#)),
            (Set, "name1.name2", Err("key `name2` has no value: expected `=` at column 12")),
            (Set, "name1.name2,name1.name3", Err("key `name2` has no value")),
            (Set, "name1.name2=", Ok(r#"{"name1":{"name2":""}}"#)),
            (Set, "name1.=name2", Err("expected a key name before `=` at column 7")),
            (Set, "name1.,name2", Err("expected `key=value` before `,`")),
            (Set, "name1={value1,value2}", Ok(r#"{"name1":["value1","value2"]}"#)),
            (Set, "name1={value1,value2},name2={value1,value2}", Ok(r#"{"name1":["value1","value2"],"name2":["value1","value2"]}"#)),
            (Set, "name1={1021,902}", Ok(r#"{"name1":[1021,902]}"#)),
            (Set, "name1.name2={value1,value2}", Ok(r#"{"name1":{"name2":["value1","value2"]}}"#)),
            (Set, "name1={1021,902", Err("list must terminate with `}`: expected `}` to close the `{` at column 7 at column 16")),
            (Set, "list[0]=foo", Ok(r#"{"list":["foo"]}"#)),
            (Set, "list[0].foo=bar", Ok(r#"{"list":[{"foo":"bar"}]}"#)),
            (Set, "list[0].foo=bar,list[0].hello=world", Ok(r#"{"list":[{"foo":"bar","hello":"world"}]}"#)),
            (Set, "list[0].foo=bar,list[-30].hello=world", Err("negative -30 index not allowed at column 22")),
            (Set, "list[0]=foo,list[1]=bar", Ok(r#"{"list":["foo","bar"]}"#)),
            (Set, "list[0]=foo,list[1]=bar,", Ok(r#"{"list":["foo","bar"]}"#)),
            (Set, "list[0]=foo,list[3]=bar", Ok(r#"{"list":["foo",null,null,"bar"]}"#)),
            (Set, "list[0]=foo,list[-20]=bar", Err("negative -20 index not allowed")),
            (Set, "illegal[0]name.foo=bar", Err("unexpected data at end of array index: `name`")),
            (Set, "noval[0]", Ok(r#"{"noval":[]}"#)),
            (Set, "noval[0]=", Ok(r#"{"noval":[""]}"#)),
            (Set, "nested[0][0]=1", Ok(r#"{"nested":[[1]]}"#)),
            (Set, "nested[1][1]=1", Ok(r#"{"nested":[null,[null,1]]}"#)),
            (Set, "name1.name2[0].foo=bar,name1.name2[1].foo=bar", Ok(r#"{"name1":{"name2":[{"foo":"bar"},{"foo":"bar"}]}}"#)),
            (Set, "name1.name2[1].foo=bar,name1.name2[0].foo=bar", Ok(r#"{"name1":{"name2":[{"foo":"bar"},{"foo":"bar"}]}}"#)),
            (Set, "name1.name2[1].foo=bar", Ok(r#"{"name1":{"name2":[null,{"foo":"bar"}]}}"#)),
            (Set, "]={}].", Err("cannot use `]` as a map: it holds a list")),
            // Helm: TestParseSet, --set-string.
            (Str, "long_int_string=1234567890", Ok(r#"{"long_int_string":"1234567890"}"#)),
            (Str, "boolean=true", Ok(r#"{"boolean":"true"}"#)),
            (Str, "is_null=null", Ok(r#"{"is_null":"null"}"#)),
            (Str, "zero=0", Ok(r#"{"zero":"0"}"#)),
            (Str, "a={1,true},b=", Ok(r#"{"a":["1","true"],"b":""}"#)),
            // Helm: TestParseSetNestedLevels / TestParseLiteralNestedLevels.
            (Set, deep_ok.as_str(), Ok(r#"{"name1":{"name2":{"name3":{"name4":{"name5":{"name6":{"name7":{"name8":{"name9":{"name10":{"name11":{"name12":{"name13":{"name14":{"name15":{"name16":{"name17":{"name18":{"name19":{"name20":{"name21":{"name22":{"name23":{"name24":{"name25":{"name26":{"name27":{"name28":{"name29":{"name30":{"name31":"value"}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}"#)),
            (Set, deep_err.as_str(), Err(NESTED)),
            (Literal, deep_err.as_str(), Err(NESTED)),
            // Added: a bound on nested indices, which Helm lacks, keeps recursion off the stack's end.
            (Set, indices_ok.as_str(), Ok("")),
            (Set, indices_err.as_str(), Err("list index nested level is greater than maximum supported nested level of 256")),
            // Helm: TestParseLiteral.
            (Literal, "name", Err("key `name` has no value")),
            (Literal, "name=", Ok(r#"{"name":""}"#)),
            (Literal, "name=value", Ok(r#"{"name":"value"}"#)),
            (Literal, "long_int_string=1234567890", Ok(r#"{"long_int_string":"1234567890"}"#)),
            (Literal, "boolean=true", Ok(r#"{"boolean":"true"}"#)),
            (Literal, "is_null=null", Ok(r#"{"is_null":"null"}"#)),
            (Literal, "zero=0", Ok(r#"{"zero":"0"}"#)),
            (Literal, "name1=null,name2=value2", Ok(r#"{"name1":"null,name2=value2"}"#)),
            (Literal, "name1=value,,,tail", Ok(r#"{"name1":"value,,,tail"}"#)),
            (Literal, "leading_zeros=00009", Ok(r#"{"leading_zeros":"00009"}"#)),
            (Literal, "name=one two three", Ok(r#"{"name":"one two three"}"#)),
            (Literal, "outer.inner=value", Ok(r#"{"outer":{"inner":"value"}}"#)),
            (Literal, "outer.middle.inner=value", Ok(r#"{"outer":{"middle":{"inner":"value"}}}"#)),
            (Literal, "name1.name2", Err("key `name2` has no value")),
            (Literal, "name1.name2=", Ok(r#"{"name1":{"name2":""}}"#)),
            (Literal, "name1.=name2", Err("expected a key name before `=`")),
            (Literal, "name1.,name2", Err("key `,name2` has no value")),
            (Literal, "name1={value1,value2}", Ok(r#"{"name1":"{value1,value2}"}"#)),
            (Literal, "list[0]=foo", Ok(r#"{"list":["foo"]}"#)),
            (Literal, "list[0].foo=bar", Ok(r#"{"list":[{"foo":"bar"}]}"#)),
            (Literal, "list[-30].hello=world", Err("negative -30 index not allowed")),
            (Literal, "list[3]=bar", Ok(r#"{"list":[null,null,null,"bar"]}"#)),
            (Literal, "illegal[0]name.foo=bar", Err("unexpected data at end of array index")),
            (Literal, "noval[0]", Ok(r#"{"noval":[]}"#)),
            (Literal, "noval[0]=", Ok(r#"{"noval":[""]}"#)),
            (Literal, "nested[0][0]=1", Ok(r#"{"nested":[["1"]]}"#)),
            (Literal, "nested[1][1]=1", Ok(r#"{"nested":[null,[null,"1"]]}"#)),
            (Literal, "name1.name2[0].foo=bar", Ok(r#"{"name1":{"name2":[{"foo":"bar"}]}}"#)),
            (Literal, "name1.name2[1].foo=bar", Ok(r#"{"name1":{"name2":[null,{"foo":"bar"}]}}"#)),
            (Literal, "]={}].", Ok(r#"{"]":"{}]."}"#)),
            (Literal, "name=val,val", Ok(r#"{"name":"val,val"}"#)),
            (Literal, "name=val.val", Ok(r#"{"name":"val.val"}"#)),
            (Literal, "name=val=val", Ok(r#"{"name":"val=val"}"#)),
            (Literal, "name=val$val", Ok(r#"{"name":"val$val"}"#)),
            (Literal, "name=(value", Ok(r#"{"name":"(value"}"#)),
            (Literal, "name=value)", Ok(r#"{"name":"value)"}"#)),
            (Literal, "name=(value)", Ok(r#"{"name":"(value)"}"#)),
            (Literal, "name={value", Ok(r#"{"name":"{value"}"#)),
            (Literal, "name=value}", Ok(r#"{"name":"value}"}"#)),
            (Literal, "name={value}", Ok(r#"{"name":"{value}"}"#)),
            (Literal, r"name=val\val", Ok(r#"{"name":"val\\val"}"#)),
            (Literal, r"name=val\\val", Ok(r#"{"name":"val\\\\val"}"#)),
            (Literal, r"name=val\\\val", Ok(r#"{"name":"val\\\\\\val"}"#)),
            (Literal, r"name={val,.?*v\0a!l)some", Ok(r#"{"name":"{val,.?*v\\0a!l)some"}"#)),
            (Literal, r"name=em%GT)tqUDqz,i-\h+Mbqs-!:.m\\rE=mkbM#rR}@{-k@", Ok(r#"{"name":"em%GT)tqUDqz,i-\\h+Mbqs-!:.m\\\\rE=mkbM#rR}@{-k@"}"#)),
            (Literal, "a,b=1", Ok(r#"{"a,b":"1"}"#)),
            // Helm: TestParseFile.
            (File, "name1=path1", Ok(r#"{"name1":"value1"}"#)),
            (File, "a={path1,path2},b=", Ok(r#"{"a":["value1","value2"],"b":""}"#)),
            (File, "a.b=path1,c=missing", Err("cannot read file `missing`: no such file or directory at column 13")),
            // Helm: TestParseJSON (the single-argument parts).
            (Json, r#"a="1",b=3,c=true,d="true""#, Ok(r#"{"a":"1","b":3,"c":true,"d":"true"}"#)),
            // Blanks after a JSON value are skipped, but not after the comma: the key is ` b`.
            (Json, r#"a={"x":[1,2]}, b=[{"y":null}] ,c=,d="#, Ok(r#"{"a":{"x":[1,2]}," b":[{"y":null}],"c":null,"d":null}"#)),
            (Json, r#"a={"x":1},a.x=2,l[1]={"z":1.5}"#, Ok(r#"{"a":{"x":2},"l":[null,{"z":1.5}]}"#)),
            (Json, r#"a={"x":[1,2,3]}]"#, Err("key `]` has no value")),
            (Json, r#"a={"x":,b=1"#, Err("invalid json value: expected value at column 8")),
            // Go's JSON decoder stops a scalar where it cannot continue; the rest is the next key.
            (Json, "a=1b=2,c=truex=3", Ok(r#"{"a":1,"b":2,"c":true,"x":3}"#)),
            (Json, "a=007", Err("key `07` has no value")),
            (Json, "a=-,b=1", Err("invalid json value: invalid number at column 4")),
            (Json, "a=tru", Err("invalid json value: EOF while parsing a value")),
            // Added: typing quirks of Helm's typedVal.
            (Set, "mode=0777,z=00,neg=-12,negz=-007,plus=+5,zero=-0", Ok(r#"{"mode":"0777","z":"00","neg":-12,"negz":-7,"plus":5,"zero":0}"#)),
            (Set, "f=1.5,big=9223372036854775808,t=TRUE,n=Null,s=faLſe", Ok(r#"{"f":"1.5","big":"9223372036854775808","t":true,"n":null,"s":false}"#)),
            (Set, "a=1 ,b= 2", Ok(r#"{"a":"1 ","b":" 2"}"#)),
            // Added: escapes.
            (Set, r"a\.b=1,c\[0\]=x,d=\{x\},e=back\\slash,f=tail\", Ok(r#"{"a.b":1,"c[0]":"x","d":"{x}","e":"back\\slash","f":"tail"}"#)),
            (Set, r"list={a\,b,c}", Ok(r#"{"list":["a,b","c"]}"#)),
            // Added: lists and paths.
            (Set, "a={x,y}.b=1", Err("expected a key name before `.`")),
            (Set, "a={},b={x,}", Ok(r#"{"a":[""],"b":["x",""]}"#)),
            (Set, "a={x} ,b=1", Err("key ` ` has no value (cannot end with `,`) at column 7")),
            (Set, "a[1][1]=x", Ok(r#"{"a":[null,[null,"x"]]}"#)),
            (Set, "a[0].b=1,a[0].c.d=2", Ok(r#"{"a":[{"b":1,"c":{"d":2}}]}"#)),
            (Set, "a[0][1].b=1", Ok(r#"{"a":[[null,{"b":1}]]}"#)),
            (Set, "a[0]={1,2}", Ok(r#"{"a":[[1,2]]}"#)),
            (Set, "a=", Ok(r#"{"a":""}"#)),
            (Set, "a=1,a=2", Ok(r#"{"a":2}"#)),
            (Set, "a=1,a.b=2", Ok(r#"{"a":{"b":2}}"#)),
            (Set, "a=x,a[1]=y", Ok(r#"{"a":[null,"y"]}"#)),
            (Set, "a.b=1,a[0]=2", Err("cannot index `a` as a list: it holds a map")),
            (Set, "a[0].", Ok(r#"{"a":[]}"#)),
            // Helm drops a map built under a list item when `=` ends the argument.
            (Set, "a[0].b=", Ok(r#"{"a":[]}"#)),
            (Set, "a[0].b=,c=1", Ok(r#"{"a":[{"b":""}],"c":1}"#)),
            (Set, "a[0][0]=", Ok(r#"{"a":[[""]]}"#)),
            (Set, "a[65536]=x", Ok("")),
            (Set, "a[65537]=x", Err("index of 65537 is greater than maximum supported index of 65536 at column 3")),
            (Set, "a[0][65537]=x", Err("index of 65537 is greater than maximum supported index of 65536 at column 6")),
            (Set, "a[99999999999999999999]=x", Err("expected an integer inside `[]`, found `99999999999999999999`")),
            // Added: malformed input.
            (Set, "a[=1", Err("expected a list index and `]` after `[` at column 3")),
            (Set, "name[1=x", Err("expected `]` after the index at column 7")),
            (Set, "=x", Err("expected a key name before `=` at column 1")),
            (Set, "a=1,=x", Err("expected a key name before `=` at column 5")),
            (Set, "[0]=x", Err("expected a key name before `[`")),
            (Set, "a.=1", Err("expected a key name before `=` at column 3")),
            (Set, "a[x]=1", Err("error parsing index: expected an integer inside `[]`, found `x` at column 3")),
            (Set, "a[]=1", Err("found `` at column 3")),
            (Set, "a={x,y", Err("list must terminate with `}`")),
            (Set, "a[0]x=1", Err("unexpected data at end of array index: `x`, expected `.`, `[` or `=` after `]` at column 5")),
            (Set, ",", Err("expected `key=value` before `,` at column 1")),
            (Set, "", Ok("{}")),
        ];
        assert!(cases.len() >= 45);
        for (kind, input, want) in cases {
            let label = format!("{} {input}", kind.flag());
            let got = run("{}", &[(kind, input)]);
            if input == indices_ok {
                let got = got.expect("256 nested indices are allowed");
                let pointer = format!("/a{}", "/0".repeat(MAX_NESTED_INDICES));
                assert_eq!(
                    got.pointer(&pointer),
                    Some(&serde_json::json!(1)),
                    "{label}"
                );
                continue;
            }
            // A 65537-element list is checked by length, not spelled out.
            if input == "a[65536]=x" {
                let got = got.expect("index 65536 is allowed");
                let list = got["a"].as_array().expect("a list");
                assert_eq!(list.len(), MAX_INDEX + 1, "{label}");
                assert_eq!(list[MAX_INDEX], "x", "{label}");
                continue;
            }
            check(&label, got, want);
        }
    }

    #[test]
    fn arguments_into_existing_values() {
        let outer = r#"{"outer":{"inner1":"overwrite","inner2":"value2"}}"#;
        let deep = r#"{"listOuter":[[[{"exited":"old"}]]]}"#;
        #[rustfmt::skip]
        let cases: Vec<(&str, Args, Want)> = vec![
            // Helm: TestParseInto.
            (outer, vec![(Set, "outer.inner1=value1,outer.inner3=value3,outer.inner4=4")], Ok(r#"{"outer":{"inner1":"value1","inner2":"value2","inner3":"value3","inner4":4}}"#)),
            ("{}", vec![(Set, "listOuter[0][0].type=listValue"), (Set, "listOuter[0][0].status=alive")], Ok(r#"{"listOuter":[[{"type":"listValue","status":"alive"}]]}"#)),
            ("{}", vec![(Set, "listOuter[0][0].type=listValue"), (Set, "listOuter[1][0].status=alive")], Ok(r#"{"listOuter":[[{"type":"listValue"}],[{"status":"alive"}]]}"#)),
            (deep, vec![(Set, "listOuter[0][1][0].type=listValue"), (Set, "listOuter[0][0][1].status=alive")], Ok(r#"{"listOuter":[[[{"exited":"old"},{"status":"alive"}],[{"type":"listValue"}]]]}"#)),
            // Helm: TestParseLiteralInto.
            (outer, vec![(Literal, "outer.inner1=value1,outer.inner3=value3,outer.inner4=4")], Ok(r#"{"outer":{"inner1":"value1,outer.inner3=value3,outer.inner4=4","inner2":"value2"}}"#)),
            (deep, vec![(Literal, "listOuter[0][1][0].type=listValue"), (Literal, "listOuter[0][0][1].status=alive")], Ok(r#"{"listOuter":[[[{"exited":"old"},{"status":"alive"}],[{"type":"listValue"}]]]}"#)),
            // Helm: TestParseIntoString.
            (outer, vec![(Str, "outer.inner1=1,outer.inner3=3")], Ok(r#"{"outer":{"inner1":"1","inner2":"value2","inner3":"3"}}"#)),
            // Helm: TestParseJSON.
            (outer, vec![(Json, r#"outer.inner1="1",outer.inner3=3,outer.inner4=true,outer.inner5="true""#)], Ok(r#"{"outer":{"inner1":"1","inner2":"value2","inner3":3,"inner4":true,"inner5":"true"}}"#)),
            (r#"{"outer":{"inner1":{"x":"overwrite"},"inner2":"value2","inner3":["overwrite"]}}"#, vec![(Json, r#"outer.inner1={"a":"1","b":2,"c":[1,2,3]},outer.inner3=["new value 1","new value 2"],outer.inner4={"aa":"1","bb":2,"cc":[1,2,3]},outer.inner5=[{"A":"1","B":2,"C":[1,2,3]}]"#)], Ok(r#"{"outer":{"inner1":{"a":"1","b":2,"c":[1,2,3]},"inner2":"value2","inner3":["new value 1","new value 2"],"inner4":{"aa":"1","bb":2,"cc":[1,2,3]},"inner5":[{"A":"1","B":2,"C":[1,2,3]}]}}"#)),
            (r#"{"outer":{"inner1":{"x":"overwrite"},"inner2":"value2"}}"#, vec![(Json, r#"outer.inner1=,outer.inner3={"aa":"1","bb":2,"cc":[1,2,3]},outer.inner3.cc[1]=null"#)], Ok(r#"{"outer":{"inner1":null,"inner2":"value2","inner3":{"aa":"1","bb":2,"cc":[1,null,3]}}}"#)),
            ("{}", vec![(Json, r#"outer.inner1={"a":"1","b":2,"c":[1,2,3]},outer.inner3=["new value 1","new value 2"],outer.inner4={"aa":"1","bb":2,"cc":[1,2,3]},outer.inner5={"A":"1","B":2,"C":[1,2,3]}]"#)], Err("key `]` has no value")),
            // Helm 4: a whole JSON object is deep-merged.
            (r#"{"a":{"b":1,"c":2}}"#, vec![(Json, r#" {"a":{"b":3},"d":[1]} "#)], Ok(r#"{"a":{"b":3,"c":2},"d":[1]}"#)),
            ("{}", vec![(Json, r#"{"a":1,}"#)], Err("invalid json object: trailing comma at column 8")),
            // Added: deep merge across arguments, and replacement rules.
            ("{}", vec![(Set, "a.b=1"), (Set, "a.c=2")], Ok(r#"{"a":{"b":1,"c":2}}"#)),
            (r#"{"a":{"b":{"x":1},"keep":true}}"#, vec![(Set, "a.b.y=2"), (Str, "a.b.x=3")], Ok(r#"{"a":{"b":{"x":"3","y":2},"keep":true}}"#)),
            (r#"{"a":"scalar"}"#, vec![(Set, "a.b=1")], Ok(r#"{"a":{"b":1}}"#)),
            (r#"{"a":null}"#, vec![(Set, "a[1]=1")], Ok(r#"{"a":[null,1]}"#)),
            (r#"{"a":"scalar"}"#, vec![(Set, "a.b.")], Ok(r#"{"a":"scalar"}"#)),
            (r#"{"a":[1,2]}"#, vec![(Set, "a.b=1")], Err("cannot use `a` as a map: it holds a list")),
            (r#"{"a":[1,2]}"#, vec![(Set, "a[3]=4")], Ok(r#"{"a":[1,2,null,4]}"#)),
            (r#"{"a":[1,2]}"#, vec![(Set, "a[1].b=x")], Ok(r#"{"a":[1,{"b":"x"}]}"#)),
            (r#"{"a":[1,[5,6]]}"#, vec![(Set, "a[1][0]=x")], Ok(r#"{"a":[1,["x",6]]}"#)),
            (r#"{"a":[{"m":1}]}"#, vec![(Set, "a[0][0]=x")], Err("cannot index element 0 as a list: it holds a map")),
            // A map under an existing list item is updated in place, so it keeps `b` even
            // where a new one would be dropped (`a[0].b=` at the end).
            (r#"{"a":[{"x":1}]}"#, vec![(Set, "a[0].b=")], Ok(r#"{"a":[{"b":"","x":1}]}"#)),
            // Helm resets a list element to `{}` before reading what follows `a[0].`.
            (r#"{"a":[1]}"#, vec![(Set, "a[0].")], Ok(r#"{"a":[{}]}"#)),
        ];
        for (n, (start, args, want)) in cases.into_iter().enumerate() {
            check(&format!("case {n}: {args:?}"), run(start, &args), want);
        }
    }

    #[test]
    fn error_leaves_values_untouched() {
        let mut map = initial(r#"{"a":1}"#);
        let err = apply("a=2,b[x]=1", Set, &mut map, &mut files).expect_err("bad index");
        assert_eq!(err.column, 7);
        assert_eq!(as_json(&map), serde_json::json!({"a": 1}));
    }

    #[test]
    fn error_display() {
        let mut map = Map::new();
        let err = apply("name[1=x", Set, &mut map, &mut files).expect_err("unclosed `[`");
        assert_eq!(
            err.to_string(),
            "--set `name[1=x`: expected `]` after the index at column 7"
        );
        assert_eq!(
            err,
            SetError {
                flag: "--set",
                arg: "name[1=x".to_owned(),
                column: 7,
                message: "expected `]` after the index".to_owned(),
            }
        );
        let err = apply("a=missing", File, &mut map, &mut files).expect_err("no file");
        assert_eq!(
            err.to_string(),
            "--set-file `a=missing`: cannot read file `missing`: no such file or directory at column 3"
        );
        // Columns count characters, not bytes.
        let err = apply("é.ü[x]=1", Set, &mut map, &mut files).expect_err("bad index");
        assert_eq!(err.column, 5);
    }

    fn fragment(node: &Node) -> (&'static str, &str) {
        match &node.origin {
            Origin::Flag { flag, fragment } => (flag, fragment),
            other => panic!("not a flag origin: {other:?}"),
        }
    }

    #[test]
    fn origins_carry_the_fragment() {
        let mut map = initial(r#"{"keep":{"old":1}}"#);
        apply(
            r"a.b=1,c[2]={x\,y,z},keep.new=v,e\.f=",
            Set,
            &mut map,
            &mut files,
        )
        .expect("valid");
        let root = Node::new(Value::Map(map.clone()), Origin::Computed);
        let at = |path: &str| root.get_path(path).expect(path);
        assert_eq!(fragment(at("a")), ("--set", "a.b=1"));
        assert_eq!(fragment(at("a.b")), ("--set", "a.b=1"));
        assert_eq!(fragment(at("c")), ("--set", r"c[2]={x\,y,z}"));
        assert_eq!(fragment(at("c.0")), ("--set", r"c[2]={x\,y,z}"));
        assert_eq!(fragment(at("c.2.0")), ("--set", r"c[2]={x\,y,z}"));
        assert_eq!(fragment(at("keep.new")), ("--set", "keep.new=v"));
        assert_eq!(at("keep").origin, Origin::Computed);
        assert_eq!(at("keep.old").origin, Origin::Computed);
        assert_eq!(fragment(&map["e.f"]), ("--set", r"e\.f="));

        let mut map = Map::new();
        apply(r#"a={"b":[1]} , c=,d.e=2"#, Json, &mut map, &mut files).expect("valid");
        let root = Node::new(Value::Map(map.clone()), Origin::Computed);
        let at = |path: &str| root.get_path(path).expect(path);
        assert_eq!(fragment(at("a.b.0")), ("--set-json", r#"a={"b":[1]}"#));
        assert_eq!(fragment(&map[" c"]), ("--set-json", " c="));
        assert_eq!(fragment(at("d.e")), ("--set-json", "d.e=2"));

        let mut map = Map::new();
        apply("x.y=a,b", Literal, &mut map, &mut files).expect("valid");
        assert_eq!(fragment(&map["x"]), ("--set-literal", "x.y=a,b"));

        let mut map = Map::new();
        apply("p=path1", File, &mut map, &mut files).expect("valid");
        assert_eq!(fragment(&map["p"]), ("--set-file", "p=path1"));
    }

    #[test]
    fn flags() {
        let all = [Json, Set, Str, File, Literal];
        let names: Vec<&str> = all.iter().map(|k| k.flag()).collect();
        assert_eq!(
            names,
            [
                "--set-json",
                "--set",
                "--set-string",
                "--set-file",
                "--set-literal"
            ]
        );
    }
}

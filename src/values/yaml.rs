//! Reading values files as Helm reads them: YAML 1.1 scalars, several documents merged in
//! order, the last of duplicate keys winning, every node tagged with its file, line and column.
//!
//! Helm splits a values file into documents at lines starting with `---` (Kubernetes'
//! `YAMLReader`), decodes each with go-yaml v2 (through sigs.k8s.io/yaml) and merges them. This
//! module owns that reading: the tree, merge keys (`<<`, applied in place as go-yaml does),
//! anchors and the limits on what a user can inflate (alias expansion, nesting depth). The
//! rules for one scalar are in [`super::scalar`]; merging layers is [`super::merge`].

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use granit_parser::{Event, Marker, Options, Parser, ScalarStyle, ScanError, Span, Tag};

use super::merge::merge_maps;
use super::node::{FileLayer, Map, Node, Origin, Value};
use super::scalar::{self, Scalar};

/// The deepest nesting of lists and maps accepted (the top-level map counts as one).
pub const MAX_DEPTH: usize = 1000;

/// The most text that aliases may copy, in bytes: go-yaml shares strings, a copy does not.
pub const MAX_ALIAS_BYTES: u64 = 32 << 20;

/// A values file that cannot be read as values.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum YamlError {
    #[error("{path}:{line}:{col}: invalid YAML: {message}")]
    Syntax {
        path: String,
        line: u32,
        col: u32,
        message: String,
    },
    #[error("{path}:{line}:{col}: duplicate key `{key}` (first defined at line {first_line})")]
    DuplicateKey {
        path: String,
        line: u32,
        col: u32,
        key: String,
        first_line: u32,
    },
    #[error(
        "{path}:{line}:{col}: expected a map of values at the top of the document, found a {found}"
    )]
    NotAMap {
        path: String,
        line: u32,
        col: u32,
        found: &'static str,
    },
    #[error("{path}:{line}:{col}: unknown anchor in alias")]
    UnknownAnchor { path: String, line: u32, col: u32 },
    /// Well-formed YAML that Helm cannot turn into values (a bad tag, key or merge, infinity),
    /// or input over one of the limits.
    #[error("{path}:{line}:{col}: {message}{}", hint.map(|h| format!("\n  hint: {h}")).unwrap_or_default())]
    Invalid {
        path: String,
        line: u32,
        col: u32,
        message: String,
        hint: Option<&'static str>,
    },
}

impl YamlError {
    /// The 1-based line the error points at.
    pub fn line(&self) -> u32 {
        match self {
            YamlError::Syntax { line, .. }
            | YamlError::DuplicateKey { line, .. }
            | YamlError::NotAMap { line, .. }
            | YamlError::UnknownAnchor { line, .. }
            | YamlError::Invalid { line, .. } => *line,
        }
    }

    /// The message without the `path:line:col: ` prefix.
    pub fn message(&self) -> String {
        let text = self.to_string();
        let prefix = match self {
            YamlError::Syntax {
                path, line, col, ..
            }
            | YamlError::DuplicateKey {
                path, line, col, ..
            }
            | YamlError::NotAMap {
                path, line, col, ..
            }
            | YamlError::UnknownAnchor { path, line, col }
            | YamlError::Invalid {
                path, line, col, ..
            } => format!("{path}:{line}:{col}: "),
        };
        text.strip_prefix(&prefix).unwrap_or(&text).to_owned()
    }
}

/// Something Helm accepts silently that the user should know about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlWarning {
    pub path: String,
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl fmt::Display for YamlWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.line, self.col, self.message
        )
    }
}

/// Parses a values file: every document must be a map (or empty); they merge in order.
pub fn parse_values(text: &str, path: &str, layer: FileLayer) -> Result<Map, YamlError> {
    parse_values_with_warnings(text, path, layer).map(|(map, _)| map)
}

/// [`parse_values`], with the warnings (duplicate keys) it would otherwise drop.
pub fn parse_values_with_warnings(
    text: &str,
    path: &str,
    layer: FileLayer,
) -> Result<(Map, Vec<YamlWarning>), YamlError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let path: Arc<str> = Arc::from(path);
    let mut out = Map::new();
    let mut warnings = Vec::new();
    for (first_line, chunk) in split_values_documents(text, &path)? {
        let mut loader = Loader::new(chunk, path.clone(), layer, Mode::Values, first_line);
        let node = loader.first_document()?;
        warnings.append(&mut loader.warnings);
        let Some(node) = node else { continue };
        match node.value {
            Value::Map(map) => merge_maps(&mut out, map),
            Value::Null => {}
            other => {
                let (line, col) = position(&node.origin);
                return Err(YamlError::NotAMap {
                    path: path.to_string(),
                    line,
                    col,
                    found: other.type_name(),
                });
            }
        }
    }
    Ok((out, warnings))
}

/// Kubernetes' `YAMLReader`, which Helm's `LoadValues` uses: a line starting with `---`
/// separates documents, and only a comment may follow it on that line. Returns each document
/// with the 1-based line it starts on.
fn split_values_documents<'t>(text: &'t str, path: &str) -> Result<Vec<(u32, &'t str)>, YamlError> {
    let mut out = Vec::new();
    let (mut start, mut start_line, mut offset) = (0, 1u32, 0);
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let number = to_u32(index + 1);
        if let Some(rest) = line.strip_prefix("---") {
            let rest = rest.trim();
            if !rest.is_empty() && !rest.starts_with('#') {
                return Err(YamlError::Invalid {
                    path: path.to_owned(),
                    line: number,
                    col: 4,
                    message: format!("invalid document separator: `{}`", line.trim_end()),
                    hint: Some("start the document on the next line after `---`"),
                });
            }
            if start < offset {
                out.push((start_line, &text[start..offset]));
            }
            start = offset + line.len();
            start_line = number + 1;
        }
        offset += line.len();
    }
    if start < text.len() {
        out.push((start_line, &text[start..]));
    }
    Ok(out)
}

/// Parses every non-empty document of a YAML stream, by the same YAML 1.1 rules (Kubernetes
/// reads manifests with go-yaml v2 too); here a duplicate key is an error.
pub fn parse_documents(text: &str, path: &str, layer: FileLayer) -> Result<Vec<Node>, YamlError> {
    let mut loader = Loader::new(text, Arc::from(path), layer, Mode::Manifest, 1);
    let mut out = Vec::new();
    loop {
        let (event, _) = loader.next()?;
        match event {
            Event::StreamStart | Event::DocumentEnd => {}
            Event::StreamEnd => break,
            Event::DocumentStart(..) => {
                if let Some(node) = loader.document()? {
                    out.push(node);
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

fn position(origin: &Origin) -> (u32, u32) {
    origin.file_position().map_or((1, 1), |(_, l, c)| (l, c))
}

/// Values files keep the last of duplicate keys (as Helm does) with a warning; rendered
/// manifests refuse them (as the Kubernetes API server does).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Values,
    Manifest,
}

/// What a finished node is as a map key.
enum KeyForm {
    Key(String),
    /// A plain `<<` (or `!!merge <<`).
    Merge,
    Refused(&'static str),
}

/// A finished node, with what the limits need to know about it.
struct Done {
    node: Node,
    key: KeyForm,
    /// go-yaml's decode operations for this subtree, aliases expanded.
    count: u64,
    /// Bytes of scalar text in the subtree, aliases expanded.
    bytes: u64,
    /// Levels of lists and maps (0 for a scalar).
    height: usize,
}

struct Anchored {
    node: Node,
    key: Result<String, &'static str>,
    count: u64,
    bytes: u64,
    height: usize,
}

enum Frame {
    Seq {
        items: Vec<Node>,
        origin: Origin,
        anchor: usize,
        stats: Stats,
    },
    Map {
        map: Map,
        origin: Origin,
        anchor: usize,
        stats: Stats,
        key: Option<(String, bool, Origin)>,
        /// Keys set by a merge, which an explicit key may override without a warning.
        merged: Vec<String>,
    },
}

#[derive(Default)]
struct Stats {
    count: u64,
    bytes: u64,
    height: usize,
}

impl Stats {
    fn add(&mut self, done: &Done) {
        self.count = self.count.saturating_add(done.count);
        self.bytes = self.bytes.saturating_add(done.bytes);
        self.height = self.height.max(done.height);
    }
}

struct Loader<'a> {
    parser: Parser<'a, granit_parser::StrInput<'a>>,
    path: Arc<str>,
    layer: FileLayer,
    mode: Mode,
    /// Added to the parser's lines: a values file is parsed document by document.
    line_offset: u32,
    anchors: HashMap<usize, Anchored>,
    /// go-yaml's alias budget, per document.
    decodes: u64,
    alias_decodes: u64,
    alias_bytes: u64,
    /// Whether the document has an infinity or NaN (checked once it is complete).
    non_finite: bool,
    /// Whether the document has a key Helm refuses (a null key, say): like a non-finite value,
    /// it is only an error if it survives duplicate keys and merges.
    refused_keys: bool,
    warnings: Vec<YamlWarning>,
}

/// go-yaml v3's (and v2's) `allowedAliasRatio`: up to 99% of decodes may come from aliases in
/// small documents, down to 10% from 4,000,000 decodes.
fn allowed_alias_ratio(decodes: u64) -> f64 {
    const LOW: u64 = 400_000;
    const HIGH: u64 = 4_000_000;
    match decodes {
        d if d <= LOW => 0.99,
        d if d >= HIGH => 0.10,
        d => 0.99 - 0.89 * ((d - LOW) as f64 / (HIGH - LOW) as f64),
    }
}

impl<'a> Loader<'a> {
    fn new(text: &'a str, path: Arc<str>, layer: FileLayer, mode: Mode, first_line: u32) -> Self {
        let mut options = Options::default();
        options.set_emit_comments(false);
        // The parser's own limits sit above ours, so ours (located, with the limit) speaks.
        options.flow_nesting_limit = MAX_DEPTH + 1;
        options.block_nesting_limit = MAX_DEPTH + 1;
        Loader {
            parser: Parser::new_from_str_with_options(text, options),
            path,
            layer,
            mode,
            line_offset: first_line - 1,
            anchors: HashMap::new(),
            decodes: 0,
            alias_decodes: 0,
            alias_bytes: 0,
            non_finite: false,
            refused_keys: false,
            warnings: Vec::new(),
        }
    }

    fn next(&mut self) -> Result<(Event<'a>, Span), YamlError> {
        match self.parser.next_event() {
            Some(Ok(pair)) => Ok(pair),
            Some(Err(err)) => Err(self.syntax(&err)),
            None => Ok((Event::StreamEnd, Span::empty(Marker::default()))),
        }
    }

    fn syntax(&self, err: &ScanError) -> YamlError {
        let mark = err.marker();
        YamlError::Syntax {
            path: self.path.to_string(),
            line: to_u32(mark.line()).saturating_add(self.line_offset),
            col: to_u32(mark.col() + 1),
            message: err.info(),
        }
    }

    fn origin(&self, span: Span) -> Origin {
        Origin::File {
            layer: self.layer,
            path: self.path.clone(),
            line: to_u32(span.start.line()).saturating_add(self.line_offset),
            col: to_u32(span.start.col() + 1),
        }
    }

    fn invalid(&self, origin: &Origin, message: String, hint: Option<&'static str>) -> YamlError {
        let (line, col) = position(origin);
        YamlError::Invalid {
            path: self.path.to_string(),
            line,
            col,
            message,
            hint,
        }
    }

    /// The first document of the stream, as go-yaml's `Unmarshal` reads it (the rest unread).
    fn first_document(&mut self) -> Result<Option<Node>, YamlError> {
        loop {
            match self.next()?.0 {
                Event::StreamEnd => return Ok(None),
                Event::DocumentStart(..) => return self.document(),
                _ => {}
            }
        }
    }

    /// The root of a document whose start was just read (`None` when it is empty).
    fn document(&mut self) -> Result<Option<Node>, YamlError> {
        self.anchors.clear();
        self.decodes = 0;
        self.alias_decodes = 0;
        self.alias_bytes = 0;
        self.non_finite = false;
        self.refused_keys = false;
        let root = self.tree()?;
        if let Some(root) = &root
            && (self.non_finite || self.refused_keys)
        {
            self.check_final(root)?;
        }
        Ok(root)
    }

    /// Reads one node and everything under it, without recursion (nesting is bounded by
    /// [`MAX_DEPTH`], not by the stack).
    fn tree(&mut self) -> Result<Option<Node>, YamlError> {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            let (event, span) = self.next()?;
            let done = match event {
                Event::DocumentEnd if stack.is_empty() => return Ok(None),
                Event::Scalar(text, style, anchor, tag) => {
                    let origin = self.origin(span);
                    self.count(1, 0, &origin)?;
                    let done = self.scalar(&text, style, tag.as_deref(), origin)?;
                    self.anchor(anchor, &done);
                    done
                }
                Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                    let origin = self.origin(span);
                    if stack.len() + 1 > MAX_DEPTH {
                        return Err(self.depth_error(&origin));
                    }
                    self.count(1, 0, &origin)?;
                    let stats = Stats {
                        count: 1,
                        ..Stats::default()
                    };
                    stack.push(if matches!(event, Event::SequenceStart(..)) {
                        Frame::Seq {
                            items: Vec::new(),
                            origin,
                            anchor,
                            stats,
                        }
                    } else {
                        Frame::Map {
                            map: Map::new(),
                            origin,
                            anchor,
                            stats,
                            key: None,
                            merged: Vec::new(),
                        }
                    });
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let (value, origin, anchor, stats) = match stack.pop() {
                        Some(Frame::Seq {
                            items,
                            origin,
                            anchor,
                            stats,
                        }) => (Value::Seq(items), origin, anchor, stats),
                        Some(Frame::Map {
                            map,
                            origin,
                            anchor,
                            stats,
                            ..
                        }) => (Value::Map(map), origin, anchor, stats),
                        None => return Err(self.unexpected(span)),
                    };
                    let done = Done {
                        node: Node::new(value, origin),
                        key: KeyForm::Refused("a list or map as a map key"),
                        count: stats.count,
                        bytes: stats.bytes,
                        height: stats.height + 1,
                    };
                    self.anchor(anchor, &done);
                    done
                }
                Event::Alias(id) => {
                    let origin = self.origin(span);
                    self.alias(id, origin, stack.len())?
                }
                _ => return Err(self.unexpected(span)),
            };
            match stack.last_mut() {
                None => return Ok(Some(done.node)),
                Some(parent) => self.deliver(parent, done)?,
            }
        }
    }

    fn unexpected(&self, span: Span) -> YamlError {
        let (line, col) = position(&self.origin(span));
        YamlError::Syntax {
            path: self.path.to_string(),
            line,
            col,
            message: "unexpected YAML event".to_owned(),
        }
    }

    fn depth_error(&self, origin: &Origin) -> YamlError {
        self.invalid(
            origin,
            format!("lists and maps nest deeper than {MAX_DEPTH} levels"),
            Some("values this deep are not meant to be read; check the file was generated as intended"),
        )
    }

    /// Counts decodes as go-yaml does and applies its alias rule, plus a cap on copied text.
    fn count(&mut self, decodes: u64, aliased: u64, origin: &Origin) -> Result<(), YamlError> {
        self.decodes = self.decodes.saturating_add(decodes);
        self.alias_decodes = self.alias_decodes.saturating_add(aliased);
        let (all, aliased) = (self.decodes, self.alias_decodes);
        #[expect(
            clippy::cast_precision_loss,
            reason = "a ratio, as go-yaml computes it"
        )]
        let excessive =
            aliased > 100 && all > 1000 && aliased as f64 / all as f64 > allowed_alias_ratio(all);
        if excessive {
            return Err(self.invalid(
                origin,
                format!(
                    "document contains excessive aliasing: {aliased} of {all} values come from aliases (go-yaml's limit, which Helm applies, is {:.0}%)",
                    allowed_alias_ratio(all) * 100.0
                ),
                Some("an alias copies its anchor's whole subtree; write the values out instead of nesting aliases"),
            ));
        }
        Ok(())
    }

    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        origin: Origin,
    ) -> Result<Done, YamlError> {
        let plain = style == ScalarStyle::Plain;
        let core = tag.map(|t| {
            t.suffix_in_namespace("tag:yaml.org,2002:")
                .map(std::borrow::Cow::into_owned)
                .unwrap_or_default()
        });
        let key = if plain && text == "<<" && core.as_deref().is_none_or(|t| t == "merge") {
            Some(KeyForm::Merge)
        } else {
            None
        };
        let resolved = scalar::resolve(text, plain, core.as_deref()).map_err(|message| {
            self.invalid(&origin, message, Some("quote the value to keep it as text"))
        })?;
        let key = key.unwrap_or_else(|| match resolved.key() {
            Ok(k) => KeyForm::Key(k),
            Err(what) => KeyForm::Refused(what),
        });
        let value = match resolved {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Int(i) => Value::Int(i),
            #[expect(clippy::cast_precision_loss, reason = "Helm's values are float64")]
            Scalar::Uint(u) => Value::Float(u as f64),
            Scalar::Float(f) => {
                self.non_finite |= !f.is_finite();
                Value::Float(f)
            }
            Scalar::Str(s) => Value::Str(s),
        };
        Ok(Done {
            node: Node::new(value, origin),
            key,
            count: 1,
            bytes: text.len() as u64,
            height: 0,
        })
    }

    fn anchor(&mut self, anchor: usize, done: &Done) {
        if anchor == 0 {
            return;
        }
        let key = match &done.key {
            KeyForm::Key(k) => Ok(k.clone()),
            KeyForm::Merge => Ok("<<".to_owned()),
            KeyForm::Refused(what) => Err(*what),
        };
        self.anchors.insert(
            anchor,
            Anchored {
                node: done.node.clone(),
                key,
                count: done.count,
                bytes: done.bytes,
                height: done.height,
            },
        );
    }

    #[expect(
        clippy::needless_pass_by_value,
        reason = "the origin is the alias', handed over"
    )]
    fn alias(&mut self, id: usize, origin: Origin, depth: usize) -> Result<Done, YamlError> {
        let Some(anchored) = self.anchors.get(&id) else {
            let (line, col) = position(&origin);
            return Err(YamlError::UnknownAnchor {
                path: self.path.to_string(),
                line,
                col,
            });
        };
        let (count, bytes, height) = (anchored.count, anchored.bytes, anchored.height);
        if depth + height > MAX_DEPTH {
            return Err(self.depth_error(&origin));
        }
        self.count(1 + count, count, &origin)?;
        self.alias_bytes = self.alias_bytes.saturating_add(bytes);
        if self.alias_bytes > MAX_ALIAS_BYTES {
            return Err(self.invalid(
                &origin,
                format!(
                    "aliases copy more than {} MiB of text",
                    MAX_ALIAS_BYTES >> 20
                ),
                Some("an alias copies its anchor's whole subtree; write the values out instead of nesting aliases"),
            ));
        }
        let anchored = &self.anchors[&id];
        Ok(Done {
            node: anchored.node.clone(),
            key: match &anchored.key {
                Ok(k) => KeyForm::Key(k.clone()),
                Err(what) => KeyForm::Refused(what),
            },
            count: 1 + count,
            bytes,
            height,
        })
    }

    /// Hands a finished node to the list or map it belongs to.
    fn deliver(&mut self, parent: &mut Frame, done: Done) -> Result<(), YamlError> {
        match parent {
            Frame::Seq { items, stats, .. } => {
                stats.add(&done);
                items.push(done.node);
            }
            Frame::Map {
                map,
                stats,
                key,
                merged,
                ..
            } => {
                stats.add(&done);
                match key.take() {
                    None => {
                        *key = Some(match done.key {
                            KeyForm::Key(k) => (k, false, done.node.origin),
                            KeyForm::Merge => (String::new(), true, done.node.origin),
                            // go-yaml decodes a null key; only the JSON step refuses it.
                            KeyForm::Refused(what)
                                if !matches!(done.node.value, Value::Map(_) | Value::Seq(_)) =>
                            {
                                self.refused_keys = true;
                                let text = match &done.node.value {
                                    Value::Null => String::new(),
                                    other => Node::new(other.clone(), Origin::Computed)
                                        .to_json()
                                        .to_string(),
                                };
                                // The key's position rides along for the error.
                                let (line, col) = position(&done.node.origin);
                                (
                                    format!("{REFUSED_KEY}{what}\0{text}\0{line}:{col}"),
                                    false,
                                    done.node.origin,
                                )
                            }
                            KeyForm::Refused(what) => {
                                return Err(self.invalid(
                                    &done.node.origin,
                                    format!("invalid map key: Helm cannot use {what}"),
                                    Some("quote the key to make it a string"),
                                ));
                            }
                        });
                    }
                    Some((_, true, key_origin)) => {
                        self.merge(map, merged, done.node, &key_origin)?;
                    }
                    Some((name, false, key_origin)) => {
                        let mut value = done.node;
                        // A nested map or list is best located by its key: the line people read.
                        if matches!(value.value, Value::Map(_) | Value::Seq(_)) {
                            value.origin = key_origin.clone();
                        }
                        self.insert(map, merged, name, value, &key_origin)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn insert(
        &mut self,
        map: &mut Map,
        merged: &[String],
        key: String,
        value: Node,
        key_origin: &Origin,
    ) -> Result<(), YamlError> {
        if let Some(first) = map.get(&key)
            && !merged.contains(&key)
        {
            let (line, col) = position(key_origin);
            let first_line = position(&first.origin).0;
            if self.mode == Mode::Manifest {
                return Err(YamlError::DuplicateKey {
                    path: self.path.to_string(),
                    line,
                    col,
                    key,
                    first_line,
                });
            }
            self.warnings.push(YamlWarning {
                path: self.path.to_string(),
                line,
                col,
                message: format!(
                    "duplicate key `{key}` (first defined at line {first_line}): the last one wins, as in Helm"
                ),
            });
        }
        map.insert(key, value);
        Ok(())
    }

    /// go-yaml v2's merge: the merged map's keys are set in place, so they override the keys
    /// before the `<<` and are overridden by those after it; in a list of maps the first wins.
    fn merge(
        &self,
        map: &mut Map,
        merged: &mut Vec<String>,
        value: Node,
        key_origin: &Origin,
    ) -> Result<(), YamlError> {
        let refused = || {
            self.invalid(
                key_origin,
                "map merge requires map or sequence of maps as the value".to_owned(),
                Some("`<<:` takes a map, an alias of a map, or a list of those"),
            )
        };
        let sources = match value.value {
            Value::Map(m) => vec![m],
            Value::Seq(items) => {
                let mut maps = Vec::with_capacity(items.len());
                for item in items.into_iter().rev() {
                    match item.value {
                        Value::Map(m) => maps.push(m),
                        _ => return Err(refused()),
                    }
                }
                maps
            }
            _ => return Err(refused()),
        };
        for source in sources {
            for (k, v) in source {
                merged.push(k.clone());
                map.insert(k, v);
            }
        }
        Ok(())
    }

    /// Helm goes through JSON, which has no infinity or NaN and only string keys: such a value
    /// or key, if it is still in the document once it is complete, fails the whole file.
    fn check_final(&self, root: &Node) -> Result<(), YamlError> {
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            match &node.value {
                Value::Float(f) if !f.is_finite() => {
                    let name = if f.is_nan() {
                        ".nan"
                    } else if *f > 0.0 {
                        ".inf"
                    } else {
                        "-.inf"
                    };
                    return Err(self.invalid(
                        &node.origin,
                        format!("`{name}` is not a value Helm can use (its values go through JSON, which has no infinity or NaN)"),
                        Some("quote it to keep it as text"),
                    ));
                }
                Value::Seq(items) => stack.extend(items.iter().rev()),
                Value::Map(map) => {
                    for (key, value) in map.iter().rev() {
                        if let Some(rest) = key.strip_prefix(REFUSED_KEY) {
                            let mut parts = rest.split('\0');
                            let what = parts.next().unwrap_or(rest);
                            let (line, col) = parts
                                .nth(1)
                                .and_then(|p| p.split_once(':'))
                                .and_then(|(l, c)| Some((l.parse().ok()?, c.parse().ok()?)))
                                .unwrap_or_else(|| position(&value.origin));
                            let at = Origin::File {
                                layer: self.layer,
                                path: self.path.clone(),
                                line,
                                col,
                            };
                            return Err(self.invalid(
                                &at,
                                format!("invalid map key: Helm cannot use {what}"),
                                Some("quote the key to make it a string"),
                            ));
                        }
                        stack.push(value);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Marks a key Helm refuses until the document is complete (no YAML key starts so).
const REFUSED_KEY: &str = "\0\u{1}refused-key:";

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> String {
        let map = parse_values(text, "v.yaml", FileLayer::User).expect("parses");
        Node::new(Value::Map(map), Origin::Computed)
            .to_json()
            .to_string()
    }

    #[test]
    fn yaml_1_1_scalars() {
        let table: &[(&str, &str)] = &[
            ("a: yes", r#"{"a":true}"#),
            ("a: on", r#"{"a":true}"#),
            ("a: Off", r#"{"a":false}"#),
            ("a: n", r#"{"a":false}"#),
            ("a: 'yes'", r#"{"a":"yes"}"#),
            ("a: !!str yes", r#"{"a":"yes"}"#),
            ("a: 0777", r#"{"a":511}"#),
            ("a: 0x1F", r#"{"a":31}"#),
            ("a: 1_000", r#"{"a":1000}"#),
            ("a: -12", r#"{"a":-12}"#),
            ("a: 1000000", r#"{"a":1000000}"#),
            ("a: 1.5", r#"{"a":1.5}"#),
            ("a: 1e3", r#"{"a":1000.0}"#),
            ("a: !!int \"12\"", r#"{"a":12}"#),
            ("a: 1e400", r#"{"a":"1e400"}"#),
            ("a: 0o777", r#"{"a":511}"#),
            ("a: _1", r#"{"a":"_1"}"#),
            ("1e10: a", r#"{"1e+10":"a"}"#),
            (".inf: a", r#"{".inf":"a"}"#),
            ("a: ~", r#"{"a":null}"#),
            ("a:", r#"{"a":null}"#),
            ("a: 1.2.3", r#"{"a":"1.2.3"}"#),
            ("a: 10Gi", r#"{"a":"10Gi"}"#),
            ("a: \"0777\"", r#"{"a":"0777"}"#),
            ("a: [x, 1]", r#"{"a":["x",1]}"#),
            // go-yaml v2 resolves keys too: Helm reads `y:` as the key `true`.
            ("y: 1", r#"{"true":1}"#),
        ];
        for (input, expected) in table {
            assert_eq!(json(input), *expected, "input: {input}");
        }
    }

    #[test]
    fn documents_merge_in_order() {
        let text = "a: {b: 1, c: 2}\nl: [1]\n---\na: {c: 3}\nl: [2]\n---\n";
        assert_eq!(json(text), r#"{"a":{"b":1,"c":3},"l":[2]}"#);
    }

    #[test]
    fn anchors_and_merge_keys() {
        // Each row as Helm 4.2.3 reads it (`helm-values`).
        let table: &[(&str, &str)] = &[
            (
                "b: &b {x: 1, z: 2}\no:\n  <<: *b\n  z: 3\n",
                r#"{"b":{"x":1,"z":2},"o":{"x":1,"z":3}}"#,
            ),
            ("c: {x: 0, <<: {x: 1}}", r#"{"c":{"x":1}}"#),
            ("c: {<<: {x: 1}, x: 0}", r#"{"c":{"x":0}}"#),
            (
                "a: &a {x: 1}\nb: {<<: [*a, {x: 2, w: 3}]}",
                r#"{"a":{"x":1},"b":{"w":3,"x":1}}"#,
            ),
            (
                "a: &a {x: 1}\nb: {\"<<\": *a}",
                r#"{"a":{"x":1},"b":{"<<":{"x":1}}}"#,
            ),
        ];
        for (input, expected) in table {
            assert_eq!(json(input), *expected, "input: {input}");
        }
        for refused in [
            "a: &a [1]\nb: {<<: *a}",
            "b: {<<: 1}",
            "a: &a {x: 1}\nb: {<<: [*a, 1]}",
        ] {
            let err = parse_values(refused, "f", FileLayer::User).unwrap_err();
            assert!(
                err.to_string().contains("map merge requires"),
                "{refused}: {err}"
            );
        }
    }

    #[test]
    fn positions_are_one_based() {
        let map = parse_values("a:\n  b: 5\n", "f.yaml", FileLayer::User).unwrap();
        let root = Node::new(Value::Map(map), Origin::Computed);
        assert_eq!(
            root.get_path("a.b").unwrap().origin.location(),
            "f.yaml:2:6"
        );
    }

    #[test]
    fn duplicate_keys_last_wins_with_a_warning() {
        let (map, warnings) =
            parse_values_with_warnings("a: 1\nb: 2\na: {c: 3}\n", "f.yaml", FileLayer::User)
                .unwrap();
        let root = Node::new(Value::Map(map), Origin::Computed);
        assert_eq!(root.to_json().to_string(), r#"{"a":{"c":3},"b":2}"#);
        let shown: Vec<_> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "f.yaml:3:1: duplicate key `a` (first defined at line 1): the last one wins, as in Helm"
            ]
        );
        // a key a merge set is no duplicate; rendered manifests refuse duplicates
        let (_, warnings) =
            parse_values_with_warnings("b: &b {x: 1}\nc: {<<: *b, x: 2}\n", "f", FileLayer::User)
                .unwrap();
        assert!(warnings.is_empty());
        let dup = parse_documents("a: 1\na: 2\n", "m", FileLayer::User).unwrap_err();
        assert_eq!(
            dup.to_string(),
            "m:2:1: duplicate key `a` (first defined at line 1)"
        );
    }

    #[test]
    fn errors() {
        // a key Helm refuses is an error only if it survives to the end, as in Helm
        assert_eq!(json("a: {~: 1}\na: 2\n"), r#"{"a":2}"#);
        let null_key = parse_values("a: {~: 1}\n", "f.yaml", FileLayer::User).unwrap_err();
        assert_eq!(null_key.line(), 1);
        assert!(null_key.to_string().contains("null map key"), "{null_key}");
        assert_eq!(json("a: .inf\na: 1\n"), r#"{"a":1}"#);
        // a `--- text` line is not a separator Helm accepts; `...` ends the document
        assert!(parse_values("a: 1\n--- b: 2\n", "f", FileLayer::User).is_err());
        assert_eq!(json("a: 1\n...\nb: 2\n"), r#"{"a":1}"#);
        assert_eq!(json("a: 1\n--- # two\nb: 2\n"), r#"{"a":1,"b":2}"#);
        let not_map = parse_values("- 1\n", "f.yaml", FileLayer::User).unwrap_err();
        assert_eq!(
            not_map.to_string(),
            "f.yaml:1:1: expected a map of values at the top of the document, found a list"
        );
        let syntax = parse_values("a: [1,\n", "f.yaml", FileLayer::User).unwrap_err();
        assert!(matches!(syntax, YamlError::Syntax { .. }), "{syntax}");
    }
}

//! From a rendered object back to a line of its template, for findings that no value caused.
//!
//! Templates are YAML interleaved with Jinja, so this is a best effort that never guesses
//! wrong by much: find the object's `kind:` line, then walk the field's path down the YAML
//! keys the template writes literally, each within the indented block of its parent, and stop
//! at the deepest one found. Keys produced by a macro are not in the template; the finding then
//! points at their nearest literal parent. This module owns that walk and nothing else.

use crate::chart::{Chart, TemplateFile};
use crate::manifest::Manifest;

/// The templates of the chart, to turn an object into a line.
#[derive(Clone, Copy)]
pub struct Templates<'a> {
    /// How template paths are shown: `charts/redis-ha/templates`.
    pub dir: &'a str,
    pub files: &'a [TemplateFile],
}

impl<'a> Templates<'a> {
    pub fn of_chart(chart: &'a Chart, dir: &'a str) -> Templates<'a> {
        Templates {
            dir,
            files: &chart.templates,
        }
    }

    /// `charts/redis-ha/templates` for a chart whose values are `charts/redis-ha/values.yaml`.
    pub fn dir_of(chart: &Chart) -> String {
        let base = chart
            .values_path
            .strip_suffix("values.yaml")
            .unwrap_or(&chart.values_path);
        format!("{base}templates")
    }

    /// The 1-based line of `path` (`spec.template.spec.containers[1].securityContext`, empty
    /// for the object itself) of the `nth` object of its kind in its template.
    pub fn line(&self, manifest: &Manifest, nth: usize, path: &str) -> u32 {
        let Some(file) = self.files.iter().find(|f| f.name == manifest.template) else {
            return 1;
        };
        let lines: Vec<&str> = file.source.lines().collect();
        let kind_line = format!("kind: {}", manifest.kind());
        let kinds: Vec<usize> = (0..lines.len())
            .filter(|i| lines[*i].trim() == kind_line)
            .collect();
        let Some(&kind) = kinds.get(nth).or(kinds.last()) else {
            return 1;
        };
        // The document around the `kind:` line: from the previous `---` to the next one.
        let start = (0..kind)
            .rev()
            .find(|i| lines[*i].trim_end() == "---")
            .map_or(0, |i| i + 1);
        let end = (kind + 1..lines.len())
            .find(|i| lines[*i].trim_end() == "---")
            .unwrap_or(lines.len());
        let walk = Walk { lines: &lines, end };
        let found = walk.path(start, indent(lines[kind]), &manifest.object, path);
        u32::try_from(found.unwrap_or(kind) + 1).unwrap_or(1)
    }
}

struct Walk<'l> {
    lines: &'l [&'l str],
    /// End of the document (exclusive).
    end: usize,
}

/// Columns of leading spaces.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Template tags, comments and blank lines say nothing about the YAML structure.
fn transparent(line: &str) -> bool {
    let t = line.trim_start();
    t.is_empty() || t.starts_with("{%") || t.starts_with("{{") || t.starts_with('#')
}

impl Walk<'_> {
    /// The key of a line and its column, `- ` of a list item skipped.
    fn key(&self, i: usize) -> Option<(&str, usize)> {
        let line = self.lines[i];
        if transparent(line) {
            return None;
        }
        let mut col = indent(line);
        let mut text = &line[col..];
        if let Some(rest) = text.strip_prefix("- ") {
            col += 2 + indent(rest);
            text = rest.trim_start();
        }
        let key = text.split(':').next()?;
        (text.len() > key.len() && !key.is_empty() && !key.contains(' ')).then_some((key, col))
    }

    /// The lines of the block of a key at `col` that starts at line `at`.
    fn block(&self, at: usize, col: usize) -> std::ops::Range<usize> {
        let end = (at + 1..self.end)
            .find(|i| !transparent(self.lines[*i]) && indent(self.lines[*i]) <= col)
            .unwrap_or(self.end);
        at + 1..end
    }

    /// The line of `key` directly inside `range`: the shallowest key of that name.
    fn child(&self, range: std::ops::Range<usize>, key: &str) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        for i in range {
            if let Some((k, col)) = self.key(i)
                && k == key
                && best.is_none_or(|(_, c)| col < c)
            {
                best = Some((i, col));
            }
        }
        best
    }

    /// The `index`th list item directly inside `range`.
    fn item(&self, range: std::ops::Range<usize>, index: usize) -> Option<(usize, usize)> {
        let items: Vec<(usize, usize)> = range
            .filter(|i| self.lines[*i].trim_start().starts_with("- "))
            .map(|i| (i, indent(self.lines[i])))
            .collect();
        let col = items.iter().map(|(_, c)| *c).min()?;
        let (line, _) = items.into_iter().filter(|(_, c)| *c == col).nth(index)?;
        Some((line, col))
    }

    /// Walks `path` from the document's top level (keys at `top` columns); the deepest line
    /// found, if any.
    fn path(
        &self,
        start: usize,
        top: usize,
        object: &serde_json::Value,
        path: &str,
    ) -> Option<usize> {
        let mut found = None;
        let mut range = start..self.end;
        let mut json = Some(object);
        for segment in path.split('.').filter(|s| !s.is_empty()) {
            let (key, index) = match segment.split_once('[') {
                Some((key, rest)) => (key, rest.trim_end_matches(']').parse::<usize>().ok()),
                None => (segment, None),
            };
            json = json.and_then(|j| j.get(key));
            let hit = if found.is_none() {
                range
                    .clone()
                    .find(|i| self.key(*i).is_some_and(|(k, col)| k == key && col == top))
                    .map(|i| (i, top))
            } else {
                self.child(range.clone(), key)
            };
            let Some((line, col)) = hit else {
                break;
            };
            found = Some(line);
            range = self.block(line, col);
            let Some(index) = index else {
                continue;
            };
            json = json.and_then(|j| j.get(index));
            // A named item (a container) is found by its name, wherever the template puts it.
            let by_name = json
                .and_then(|j| j.get("name"))
                .and_then(|n| n.as_str())
                .and_then(|name| {
                    range.clone().find(|i| {
                        let t = self.lines[*i].trim_start();
                        t.strip_prefix("- name:")
                            .is_some_and(|v| v.trim().trim_matches(['"', '\'']) == name)
                    })
                })
                .map(|i| (i, indent(self.lines[i])));
            let Some((line, col)) = by_name.or_else(|| self.item(range.clone(), index)) else {
                break;
            };
            found = Some(line);
            range = self.block_item(line, col);
        }
        found
    }

    /// The block of a list item starting with `- ` at `col`: its own line and what follows,
    /// indented deeper than the dash.
    fn block_item(&self, at: usize, col: usize) -> std::ops::Range<usize> {
        let end = (at + 1..self.end)
            .find(|i| !transparent(self.lines[*i]) && indent(self.lines[*i]) <= col)
            .unwrap_or(self.end);
        at..end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(kind: &str, object: serde_json::Value) -> Manifest {
        let mut object = object;
        object["kind"] = kind.into();
        Manifest {
            template: "t.yaml".to_owned(),
            content: String::new(),
            object,
        }
    }

    const SOURCE: &str = "\
{% import \"_helpers.tpl\" as h %}
apiVersion: apps/v1
kind: StatefulSet
metadata:
{{ h.metadata() | indent(2) }}
spec:
  replicas: 3
  template:
    spec:
      securityContext: {runAsNonRoot: true}
      containers:
        - name: redis
          image: redis
        - name: sentinel
          securityContext:
            runAsUser: 0
---
apiVersion: v1
kind: Service
spec:
  ports:
    - {name: a, port: 1}
    - {name: b, port: 2}
";

    #[test]
    fn lines_of_paths() {
        let files = vec![TemplateFile {
            name: "t.yaml".to_owned(),
            source: SOURCE.to_owned(),
        }];
        let t = Templates {
            dir: "c/templates",
            files: &files,
        };
        let sts = manifest(
            "StatefulSet",
            serde_json::json!({"spec": {"template": {"spec": {"containers": [{"name": "redis"}, {"name": "sentinel"}]}}}}),
        );
        let table = [
            ("", 3),
            ("spec.replicas", 7),
            // Written by a macro: its literal parent.
            ("metadata.name", 4),
            ("spec.template.spec.securityContext", 10),
            ("spec.template.spec.containers[1].securityContext", 15),
            ("spec.template.spec.containers[0].securityContext", 12),
            ("spec.template.spec.containers[0].image", 13),
            ("spec.missing", 6),
        ];
        for (path, line) in table {
            assert_eq!(t.line(&sts, 0, path), line, "{path}");
        }
        let svc = manifest("Service", serde_json::json!({"spec": {"ports": [{}, {}]}}));
        assert_eq!(t.line(&svc, 0, "spec.ports[1].targetPort"), 23);
        assert_eq!(t.line(&svc, 0, "spec.ports"), 21);
        let other = Manifest {
            template: "other.yaml".to_owned(),
            ..svc
        };
        assert_eq!(t.line(&other, 0, "spec"), 1);
    }
}

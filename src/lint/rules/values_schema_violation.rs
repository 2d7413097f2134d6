//! The `values-schema-violation` rule.

use crate::lint::context::{Context, is_secret_key};
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks the merged values against the chart's `values.schema.json`. Every violation is
    /// reported at the line (or `--set` fragment) that set the offending value.
    ///
    /// ## Why is this bad?
    /// A value of the wrong type or out of range renders into a manifest Kubernetes rejects,
    /// or worse, one it accepts with a meaning nobody intended. A misspelled key (`replica`
    /// for `replicas`) is silently ignored by Helm and leaves the default in place. When the
    /// values break the schema, redis-ha stops there: the later checks would only report the
    /// same mistake again, less clearly.
    ///
    /// ## Example
    /// ```yaml
    /// sentinel:
    ///   quorum: "2"    # a string: the schema wants an integer
    /// replica: 3       # misspelled: the chart has `replicas`
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// sentinel:
    ///   quorum: 2
    /// replicas: 3
    /// ```
    pub struct ValuesSchemaViolation {
        id: "values-schema-violation",
        severity: Error,
        category: Validity,
        stage: Schema,
    }
}

impl Rule for ValuesSchemaViolation {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for violation in cx.violations {
            let mut message = violation.message.clone();
            // The messages quote the offending value: never a password.
            if is_secret_key(&violation.path)
                && let Some(node) = cx.value(&violation.path)
            {
                let shown = node.to_json().to_string();
                message = message.replace(&shown, crate::secrets::MASK);
            }
            let key = if violation.path.is_empty() {
                "(root)"
            } else {
                &violation.path
            };
            let finding = out.report(
                cx.origin_location(&violation.path, &violation.origin),
                format!("`{key}`: {message}"),
            );
            if let Some(hint) = &violation.hint {
                finding.hint(hint.clone());
            }
        }
    }
}

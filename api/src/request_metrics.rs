//! Each GraphQL request counted by operation and outcome (see
//! `leeway_workflows::metrics`). The operation is the request's first
//! root field, and only a name the schema has: anything else is
//! `unknown`, so a caller cannot grow the series.
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, Selection};
use std::collections::HashSet;

pub fn operation_of(document: Option<&ExecutableDocument>, known: &HashSet<String>) -> String {
    let first = document.and_then(|d| {
        let op = match &d.operations {
            DocumentOperations::Single(op) => op,
            DocumentOperations::Multiple(ops) => ops.values().next()?,
        };
        op.node
            .selection_set
            .node
            .items
            .iter()
            .find_map(|s| match &s.node {
                Selection::Field(f) => Some(f.node.name.node.to_string()),
                _ => None,
            })
    });
    match first {
        Some(name) if known.contains(&name) => name,
        _ => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_names_the_schema_has_become_labels() {
        let known: HashSet<String> = ["openWaiverDraft".to_string()].into();
        let doc = |q: &str| async_graphql::parser::parse_query(q).unwrap();
        assert_eq!(
            operation_of(
                Some(&doc("mutation { openWaiverDraft(content: {}) { id } }")),
                &known
            ),
            "openWaiverDraft"
        );
        assert_eq!(
            operation_of(Some(&doc("{ aNameAnAttackerMadeUp }")), &known),
            "unknown"
        );
        assert_eq!(operation_of(None, &known), "unknown");
    }
}

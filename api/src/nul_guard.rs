//! The one character no database column takes: PostgreSQL refuses a NUL
//! in text, and a NUL that reached a step once wedged its case. Every
//! string of a request (its variables and the literals in its query) is
//! checked before anything runs, so no field, present or future, can carry
//! one into storage. Other control characters are refused field by field
//! (`FreeText`), with the field's name.
use async_graphql::Request;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Positioned, Value};

/// Where the first NUL is, if the request has one.
pub fn find(request: &Request, document: Option<&ExecutableDocument>) -> Option<String> {
    let variables = request.variables.clone().into_value();
    if let Some(path) = in_value(&variables, "variables") {
        return Some(path);
    }
    let document = document?;
    for (_, op) in document.operations.iter() {
        if let Some(p) = in_selection(&op.node.selection_set.node) {
            return Some(p);
        }
        for d in &op.node.variable_definitions {
            let at = format!("${}", d.node.name.node);
            if let Some(p) = d
                .node
                .default_value
                .as_ref()
                .and_then(|v| in_value(&v.node, &at))
            {
                return Some(p);
            }
        }
    }
    document
        .fragments
        .values()
        .find_map(|f| in_selection(&f.node.selection_set.node))
}

/// Literals in the query may name variables; those were checked already.
fn in_arguments(
    arguments: &[(Positioned<Name>, Positioned<async_graphql_value::Value>)],
    at: &str,
) -> Option<String> {
    arguments.iter().find_map(|(name, value)| {
        let literal = value
            .node
            .clone()
            .into_const_with(|_| Ok::<_, std::convert::Infallible>(Value::Null))
            .ok()?;
        in_value(&literal, &format!("{at}({})", name.node))
    })
}

fn in_selection(set: &SelectionSet) -> Option<String> {
    set.items.iter().find_map(|item| match &item.node {
        Selection::Field(f) => {
            let at = f.node.name.node.as_str();
            in_arguments(&f.node.arguments, at)
                .or_else(|| {
                    f.node
                        .directives
                        .iter()
                        .find_map(|d| in_arguments(&d.node.arguments, at))
                })
                .or_else(|| in_selection(&f.node.selection_set.node))
        }
        Selection::InlineFragment(f) => in_selection(&f.node.selection_set.node),
        Selection::FragmentSpread(_) => None,
    })
}

fn in_value(value: &Value, at: &str) -> Option<String> {
    match value {
        Value::String(s) if s.contains('\0') => Some(at.to_string()),
        Value::List(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| in_value(v, &format!("{at}[{i}]"))),
        Value::Object(fields) => fields
            .iter()
            .find_map(|(k, v)| in_value(v, &format!("{at}.{k}"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str, variables: serde_json::Value) -> Option<String> {
        let request = Request::new(query).variables(async_graphql::Variables::from_json(variables));
        let document = async_graphql::parser::parse_query(query).ok();
        find(&request, document.as_ref())
    }

    #[test]
    fn a_nul_anywhere_in_a_request_is_found() {
        let nested =
            serde_json::json!({ "c": { "items": [{ "goal": "ok" }, { "goal": "x\u{0}" }] } });
        assert_eq!(
            check(
                "mutation($c: WaiverContentInput!) { openWaiverDraft(content: $c) { id } }",
                nested
            ),
            Some("variables.c.items[1].goal".into())
        );
        assert_eq!(
            check(
                r#"mutation { withdrawWaiver(id: "w", reason: "bye\u0000") { id } }"#,
                serde_json::json!({})
            ),
            Some("withdrawWaiver(reason)".into())
        );
        assert_eq!(
            check(
                r#"{ ...F } fragment F on QueryRoot { waiverCase(id: "a\u0000") { id } }"#,
                serde_json::json!({})
            ),
            Some("waiverCase(id)".into())
        );
        assert_eq!(
            check(
                r#"{ waiverCase(id: "fine\n") { id } }"#,
                serde_json::json!({"v": "tab\t"})
            ),
            None
        );
    }
}

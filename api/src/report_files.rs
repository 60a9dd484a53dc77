//! Downloads of the annual report's files: a published report's PDF, CSV
//! and JSON for anyone at `/public/reports/<name>`, and a draft's for SEA
//! staff at `/reports/<name>` with their token. The bytes are those whose
//! SHA-256 the audit trail records; the `ETag` is that hash.
use crate::context::AppContext;
use crate::graphql::Caller;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use leeway_entities::{annual_report, case_artefact};
use sea_orm::EntityTrait;

/// `annual-report-2026-v3.pdf` → (`annual-report-2026`, 3).
fn parse_name(name: &str) -> Option<(String, i32)> {
    let (stem, _extension) = name.rsplit_once('.')?;
    let (case_id, version) = stem.rsplit_once("-v")?;
    let version = version.parse().ok()?;
    case_id
        .strip_prefix("annual-report-")?
        .parse::<i32>()
        .ok()?;
    Some((case_id.to_string(), version))
}

fn not_found(name: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("There is no file `{name}`."),
    )
        .into_response()
}

fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "30")],
        "The file cannot be read at the moment; try again shortly.",
    )
        .into_response()
}

async fn file(app: &AppContext, case_id: &str, name: &str) -> Response {
    match case_artefact::Entity::find_by_id((case_id.to_string(), name.to_string()))
        .one(&app.db)
        .await
    {
        Ok(Some(f)) => {
            let mut headers = HeaderMap::new();
            let typed = HeaderValue::from_str(&f.content_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream"));
            headers.insert(header::CONTENT_TYPE, typed);
            if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", f.sha256)) {
                headers.insert(header::ETAG, v);
            }
            if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{}\"", f.name)) {
                headers.insert(header::CONTENT_DISPOSITION, v);
            }
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            (headers, f.bytes).into_response()
        }
        Ok(None) => not_found(name),
        Err(e) => {
            tracing::warn!(error = %e, "a report file could not be read");
            unavailable()
        }
    }
}

/// A published report's file: only the certified draft's.
pub async fn public(app: &AppContext, name: &str) -> Response {
    let Some((case_id, version)) = parse_name(name) else {
        return not_found(name);
    };
    match annual_report::Entity::find_by_id(case_id.as_str())
        .one(&app.db)
        .await
    {
        Ok(Some(r)) if r.certified_version == Some(version) => file(app, &case_id, name).await,
        Ok(_) => not_found(name),
        Err(e) => {
            tracing::warn!(error = %e, "a report could not be read");
            unavailable()
        }
    }
}

/// Any draft's file, for those who read reports before they are
/// published (`report_service::reads_drafts`); a refusal is audited.
pub async fn staff(app: &AppContext, caller: Caller, name: &str) -> Response {
    let who = match caller {
        Caller::Known(p) => p,
        Caller::Anonymous | Caller::BadToken => {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "Send a valid Leeway token as `Authorization: Bearer <token>`; published reports are under /public/reports/.",
            )
                .into_response();
        }
        Caller::Refused(e) => return (StatusCode::FORBIDDEN, e.message()).into_response(),
        Caller::Unavailable => return unavailable(),
    };
    if !crate::report_service::reads_drafts(&who) {
        let refused = app
            .refuse(
                &who,
                None,
                "download_report_draft",
                "Only SEA staff, fiscal officers and auditors read reports before they are published; published reports are under /public/reports/.",
            )
            .await;
        return (StatusCode::FORBIDDEN, refused.message()).into_response();
    }
    match parse_name(name) {
        Some((case_id, _)) => file(app, &case_id, name).await,
        None => not_found(name),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_name;

    #[test]
    fn names_are_parsed_strictly() {
        assert_eq!(
            parse_name("annual-report-2026-v3.pdf"),
            Some(("annual-report-2026".into(), 3))
        );
        assert_eq!(parse_name("annual-report-2026-v3"), None);
        assert_eq!(parse_name("../etc/passwd"), None);
        assert_eq!(parse_name("grant-1-v2.pdf"), None);
    }
}

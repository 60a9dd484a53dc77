//! The public transparency page at `/public`: server-rendered HTML, no
//! login, no scripts, its one stylesheet served from the binary. What it
//! shows comes from `public_figures`; how it reads (headings, captions,
//! contrast, a phone's width) is the template's, which an accessibility
//! checker tests in headless Chromium (tests/tests/public_page.rs).
use crate::context::AppContext;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::Environment;
use std::sync::OnceLock;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TEMPLATE: &str = include_str!("../templates/public.html.jinja");
const STYLE: &str = include_str!("../assets/public.css");

fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // The `.html` name turns on HTML escaping of every value.
        if let Err(e) = env.add_template("public.html", TEMPLATE) {
            tracing::error!(error = %e, "the public page's template does not parse");
        }
        env
    })
}

/// Renders the page from the figures; an error names what failed.
pub fn render(figures: &crate::public_figures::PublicFigures) -> Result<String, minijinja::Error> {
    templates().get_template("public.html")?.render(figures)
}

pub async fn page(State(app): State<AppContext>) -> Response {
    let figures = match crate::public_figures::load(&app.db, &app.profile, chrono::Utc::now()).await
    {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!(error = %e.message(), "the public page could not read its figures");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "30")],
                "The public page is unavailable for a moment; try again shortly.",
            )
                .into_response();
        }
    };
    match render(&figures) {
        Ok(html) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                (header::REFERRER_POLICY, "no-referrer"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "the public page did not render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The public page could not be rendered.",
            )
                .into_response()
        }
    }
}

pub async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::public_figures::{GrantRow, PublicFigures};

    #[test]
    fn values_are_escaped_and_empty_sections_say_so() {
        let figures = PublicFigures {
            state_name: "Demo <State>".into(),
            waivers: Vec::new(),
            provisions: Vec::new(),
            networks: Vec::new(),
            grants: vec![GrantRow {
                program_name: "P".into(),
                organisation_name: "<script>alert(1)</script>".into(),
                amount: "$1.00".into(),
                purpose: "x".into(),
            }],
            grants_total: "$1.00".into(),
            reports: Vec::new(),
            as_of: "2026-11-24 12:00 UTC".into(),
        };
        let html = render(&figures).unwrap();
        assert!(html.contains("Demo &lt;State&gt;"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("No waiver is in force."));
        assert!(html.contains("The state has no learning network."));
        assert!(html.contains("No annual report has been published yet."));
    }
}

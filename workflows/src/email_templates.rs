//! Email people want to read: each notice rendered from minijinja
//! templates (`workflows/templates/email`, built in as the defaults) into a
//! subject, a plain-text part and an HTML part. A state replaces any of
//! them with files of its own, read and checked at start-up, so a broken
//! template stops the process rather than an email.
use leeway_machines::engine::notice::Audience;
use minijinja::{AutoEscape, Environment, Value, context};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The built-in templates, by name.
const DEFAULTS: [(&str, &str); 3] = [
    (
        "notice.jinja",
        include_str!("../templates/email/notice.jinja"),
    ),
    (
        "layout.txt.jinja",
        include_str!("../templates/email/layout.txt.jinja"),
    ),
    (
        "layout.html.jinja",
        include_str!("../templates/email/layout.html.jinja"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read the email templates in {dir}: {message}")]
    Read { dir: PathBuf, message: String },
    #[error("the email template {name} cannot be used: {message}")]
    Invalid { name: String, message: String },
}

/// One notice, with all a template may use.
#[derive(Clone, Debug, Serialize)]
pub struct NoticeFacts<'a> {
    pub program: &'a str,
    pub audience: Audience,
    pub subject: &'a str,
    pub message: &'a str,
    pub recipient: Recipient<'a>,
    pub case: CaseFacts<'a>,
    pub step: StepFacts<'a>,
    pub deadlines: Vec<Deadline>,
    pub state_name: &'a str,
}

#[derive(Clone, Debug, Serialize)]
pub struct Recipient<'a> {
    pub name: &'a str,
    pub email: &'a str,
}

#[derive(Clone, Debug, Serialize)]
pub struct CaseFacts<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub program: &'a str,
    pub state: &'a str,
    /// Filled in from the portal's base URL.
    pub link: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct StepFacts<'a> {
    pub command: &'a str,
    pub from_state: &'a str,
    pub reasons: &'a [String],
}

#[derive(Clone, Debug, Serialize)]
pub struct Deadline {
    pub description: String,
    /// As people read it: "Tuesday 23 February 2027, 17:00 UTC".
    pub due: String,
}

/// An email ready to queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedEmail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub struct EmailTemplates {
    env: Environment<'static>,
    /// The state's portal, where `case.link` points (`…/cases/<id>`).
    portal_url: Option<String>,
    /// Who the email is from, as people know them: the profile's name.
    state_name: String,
}

fn audience_name(a: Audience) -> &'static str {
    match a {
        Audience::District => "district",
        Audience::AssignedReviewer => "assigned_reviewer",
        Audience::Reviewers => "reviewers",
        Audience::Approvers => "approvers",
        Audience::Administrators => "administrators",
        Audience::Legislators => "legislators",
    }
}

/// Every `.jinja` file under `dir`, named by its path inside it.
fn files_in(dir: &Path) -> Result<Vec<(String, String)>, TemplateError> {
    let read_error = |e: std::io::Error| TemplateError::Read {
        dir: dir.to_path_buf(),
        message: e.to_string(),
    };
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).map_err(read_error)? {
            let path = entry.map_err(read_error)?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "jinja") {
                let name = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((name, std::fs::read_to_string(&path).map_err(read_error)?));
            }
        }
    }
    Ok(out)
}

impl EmailTemplates {
    /// The built-in templates, each replaced by a file of the same name in
    /// `dir` when there is one.
    pub fn load(
        dir: Option<&Path>,
        portal_url: Option<String>,
        state_name: &str,
    ) -> Result<Self, TemplateError> {
        let mut env = Environment::new();
        // Only the HTML layout escapes: the notice's words are rendered
        // as text, then escaped once, paragraph by paragraph, into HTML.
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html.jinja") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_keep_trailing_newline(true);
        let mut sources: Vec<(String, String)> = DEFAULTS
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect();
        if let Some(dir) = dir {
            for (name, source) in files_in(dir)? {
                sources.retain(|(n, _)| *n != name);
                sources.push((name, source));
            }
        }
        for (name, source) in sources {
            env.add_template_owned(name.clone(), source)
                .map_err(|e| TemplateError::Invalid {
                    name,
                    message: e.to_string(),
                })?;
        }
        let templates = EmailTemplates {
            env,
            portal_url: portal_url.map(|u| u.trim_end_matches('/').to_string()),
            state_name: state_name.to_string(),
        };
        templates.check()?;
        Ok(templates)
    }

    /// The built-in templates only, with no portal link.
    pub fn built_in(state_name: &str) -> Self {
        match Self::load(None, None, state_name) {
            Ok(t) => t,
            // The defaults are compiled in and tested; they always load.
            Err(e) => unreachable!("the built-in email templates: {e}"),
        }
    }

    pub fn state_name(&self) -> &str {
        &self.state_name
    }

    /// Renders a sample notice through every template, so a file that
    /// fails at run time (a bad filter, a missing block) is found now.
    fn check(&self) -> Result<(), TemplateError> {
        let names: Vec<String> = self
            .env
            .templates()
            .map(|(name, _)| name.to_string())
            .collect();
        for name in names.iter().filter(|n| !n.starts_with("layout.")) {
            let (program, rest) = name.split_once('/').unwrap_or(("waiver", name));
            let command = rest.split('.').next().unwrap_or(rest);
            let facts = sample(program, command);
            self.render_with(name, &facts)
                .map_err(|e| TemplateError::Invalid {
                    name: name.clone(),
                    message: e.to_string(),
                })?;
        }
        Ok(())
    }

    /// The template a notice is written with: its own, its command's, or
    /// the general one.
    fn template_for(&self, program: &str, command: &str, audience: Audience) -> String {
        let own = format!("{program}/{command}.{}.jinja", audience_name(audience));
        let command = format!("{program}/{command}.jinja");
        [own, command]
            .into_iter()
            .find(|n| self.env.get_template(n).is_ok())
            .unwrap_or_else(|| "notice.jinja".into())
    }

    /// One notice as an email. A state's template that fails here falls
    /// back to the built-in words, so no email is lost to a template.
    pub fn render(&self, facts: &NoticeFacts<'_>) -> RenderedEmail {
        let name = self.template_for(facts.program, facts.step.command, facts.audience);
        match self.render_with(&name, facts) {
            Ok(email) => email,
            Err(e) => {
                tracing::error!(template = %name, error = %e, "an email template failed; the built-in one was used");
                let mut fallback = Self::built_in(&self.state_name);
                fallback.portal_url = self.portal_url.clone();
                fallback
                    .render_with("notice.jinja", facts)
                    .unwrap_or_else(|_| RenderedEmail {
                        subject: facts.subject.to_string(),
                        text: facts.message.to_string(),
                        html: String::new(),
                    })
            }
        }
    }

    fn render_with(
        &self,
        name: &str,
        facts: &NoticeFacts<'_>,
    ) -> Result<RenderedEmail, minijinja::Error> {
        let mut facts = facts.clone();
        facts.case.link = self
            .portal_url
            .as_ref()
            .map(|base| format!("{base}/cases/{}", facts.case.id));
        let notice = self.env.get_template(name)?;
        let mut rendered = notice.render_captured(&facts)?;
        // A subject is one line: a template's line breaks must not reach
        // the header.
        let subject = rendered
            .with_state_mut(|s| s.render_block("subject"))?
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let message = rendered
            .with_state_mut(|s| s.render_block("message"))?
            .trim()
            .to_string();
        let paragraphs: Vec<String> = message
            .split("\n\n")
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        let around = context! {
            subject => subject,
            message => message,
            paragraphs => paragraphs,
            ..Value::from_serialize(&facts)
        };
        let text = self.env.get_template("layout.txt.jinja")?.render(&around)?;
        let html = self
            .env
            .get_template("layout.html.jinja")?
            .render(&around)?;
        Ok(RenderedEmail {
            subject,
            text,
            html,
        })
    }
}

/// A notice with every field filled, for checking templates.
pub fn sample<'a>(program: &'a str, command: &'a str) -> NoticeFacts<'a> {
    NoticeFacts {
        program,
        audience: Audience::District,
        subject: "Submitted: Mastery-based learning (version 1)",
        message: "Your waiver request was submitted.\n\nThe state decides by 23 January 2027.",
        recipient: Recipient {
            name: "Taylor Brooks",
            email: "taylor.brooks@district.example",
        },
        case: CaseFacts {
            id: "waiver-sample",
            title: "Mastery-based learning",
            program,
            state: "submitted",
            link: None,
        },
        step: StepFacts {
            command,
            from_state: "draft",
            reasons: &[],
        },
        deadlines: vec![Deadline {
            description: "The state's decision".into(),
            due: "Saturday 23 January 2027, 11:00 UTC".into(),
        }],
        state_name: "Kentucky",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUDIENCES: [Audience; 6] = [
        Audience::District,
        Audience::AssignedReviewer,
        Audience::Reviewers,
        Audience::Approvers,
        Audience::Administrators,
        Audience::Legislators,
    ];

    fn channel(hex: &str) -> f64 {
        let v = f64::from(u8::from_str_radix(hex, 16).unwrap_or(0)) / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    }

    /// WCAG 2.1's contrast ratio of a `#rrggbb` colour against white.
    fn contrast_on_white(colour: &str) -> f64 {
        let c = colour.trim_start_matches('#');
        let l =
            0.2126 * channel(&c[0..2]) + 0.7152 * channel(&c[2..4]) + 0.0722 * channel(&c[4..6]);
        1.05 / (l + 0.05)
    }

    /// Every value of `property:` in the HTML's style attributes.
    fn style_values<'a>(html: &'a str, property: &str) -> Vec<&'a str> {
        html.split(';')
            .flat_map(|decl| decl.split('"'))
            .filter_map(|decl| decl.trim().strip_prefix(property))
            .filter_map(|rest| rest.trim_start().strip_prefix(':'))
            .map(str::trim)
            .collect()
    }

    /// What WCAG 2.1 AA asks of an email that a test can see.
    fn assert_accessible(email: &RenderedEmail, what: &str) {
        let html = &email.html;
        assert!(html.contains("<html lang=\"en\">"), "{what}: no language");
        assert!(
            html.contains(&format!(
                "<title>{}</title>",
                email.subject.replace('&', "&amp;")
            )),
            "{what}: no title"
        );
        let h1 = html.find("<h1").unwrap_or(usize::MAX);
        assert!(h1 < html.len(), "{what}: no heading");
        assert!(
            html.find("<h2").is_none_or(|h2| h2 > h1),
            "{what}: headings out of order"
        );
        assert!(
            !style_values(html, "color").is_empty(),
            "{what}: no colours read"
        );
        for colour in style_values(html, "color") {
            let ratio = contrast_on_white(colour);
            assert!(ratio >= 4.5, "{what}: {colour} on white is {ratio:.2}:1");
        }
        for bg in style_values(html, "background-color") {
            assert_eq!(bg, "#ffffff", "{what}: text on another background");
        }
        for size in style_values(html, "font-size") {
            let px: u32 = size.trim_end_matches("px").parse().unwrap_or(0);
            assert!(px >= 14, "{what}: text of {size}");
        }
        let lower = html.to_lowercase();
        assert!(!lower.contains(">click here<") && !lower.contains(">here<"));
        assert!(!email.text.contains('<'), "{what}: markup in the text part");
        assert!(!email.subject.contains('\n'));
    }

    #[test]
    fn every_notice_of_every_program_renders_readably_in_both_parts() {
        let templates =
            EmailTemplates::load(None, Some("https://leeway.example.gov/".into()), "Kentucky")
                .unwrap_or_else(|e| panic!("{e}"));
        let mut rendered = 0;
        for machine in crate::programs::definitions() {
            for transition in &machine.transitions {
                for audience in AUDIENCES {
                    let mut facts = sample(machine.program, transition.command);
                    facts.audience = audience;
                    let email = templates.render(&facts);
                    let what =
                        format!("{}/{} to {audience:?}", machine.program, transition.command);
                    assert_eq!(email.subject, facts.subject, "{what}");
                    // minijinja escapes `/` in HTML as `&#x2f;`, which
                    // mail clients read back as `/`.
                    let html = email.html.replace("&#x2f;", "/");
                    for part in [&email.text, &html] {
                        assert!(part.contains("Taylor Brooks"), "{what}: {part}");
                        assert!(part.contains("The state decides by 23 January 2027."));
                        assert!(
                            part.contains("https://leeway.example.gov/cases/waiver-sample"),
                            "{what}: no link to the case"
                        );
                        assert!(part.contains("Saturday 23 January 2027, 11:00 UTC"));
                    }
                    assert!(email.html.contains("<p style=\"margin:0 0 16px 0;\">The state decides by 23 January 2027.</p>"), "{what}: paragraphs");
                    assert_accessible(&email, &what);
                    rendered += 1;
                }
            }
        }
        assert!(rendered > 100, "only {rendered} notices");
    }

    #[test]
    fn the_words_are_escaped_in_html_and_kept_in_text() {
        let templates = EmailTemplates::built_in("Kentucky");
        let mut facts = sample("waiver", "submit");
        facts.message = "Reviewers said: <script>alert(1)</script> & more";
        facts.case.title = "A & B <i>";
        let email = templates.render(&facts);
        assert!(email.text.contains("<script>alert(1)</script> & more"));
        assert!(!email.html.contains("<script>"));
        assert!(
            email
                .html
                .contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; more"),
            "{}",
            email.html
        );
        assert!(!email.html.contains("<i>"));
        // Without a portal there is no link, in either part.
        assert!(!email.text.contains("portal") && !email.html.contains("<a "));
    }

    #[test]
    fn a_states_own_files_replace_the_words_and_a_broken_one_stops_start_up() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(dir.path().join("waiver")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            dir.path().join("waiver/submit.district.jinja"),
            "{% block subject %}Kentucky received {{ case.title }}{% endblock %}\n{% block message %}Thank you, {{ recipient.name }}. We have your plan.{% endblock %}",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let templates = EmailTemplates::load(Some(dir.path()), None, "Kentucky")
            .unwrap_or_else(|e| panic!("{e}"));
        let email = templates.render(&sample("waiver", "submit"));
        assert_eq!(email.subject, "Kentucky received Mastery-based learning");
        assert!(
            email
                .text
                .contains("Thank you, Taylor Brooks. We have your plan.")
        );
        // Other audiences and commands keep the built-in words.
        let mut to_reviewers = sample("waiver", "submit");
        to_reviewers.audience = Audience::Reviewers;
        assert_eq!(
            templates.render(&to_reviewers).subject,
            to_reviewers.subject
        );

        std::fs::write(dir.path().join("layout.html.jinja"), "<p>{{ subject </p>")
            .unwrap_or_else(|e| panic!("{e}"));
        let Err(broken) = EmailTemplates::load(Some(dir.path()), None, "Kentucky") else {
            panic!("a broken template was accepted");
        };
        assert!(broken.to_string().contains("layout.html.jinja"), "{broken}");
    }
}

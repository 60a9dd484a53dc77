//! Free text parsed at the boundary: whatever a person types is checked
//! once, before it reaches a machine, so nothing the database would reject
//! (a NUL byte, a control character, an endless string) can reach the step
//! that records it.
use super::refusal::Refusal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How long a piece of free text may be, in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextSize {
    /// A name, an id, a citation: one line.
    Line,
    /// A reason, a summary, a condition: a paragraph or a few.
    Reason,
    /// A section of a long form (a rationale, a letter).
    Section,
}

impl TextSize {
    pub fn max_chars(self) -> usize {
        match self {
            TextSize::Line => 300,
            TextSize::Reason => 4_000,
            TextSize::Section => 50_000,
        }
    }
    fn multiline(self) -> bool {
        !matches!(self, TextSize::Line)
    }
}

/// Checks one piece of text; `field` names it in the refusal. Windows line
/// endings become plain newlines; any other control character is refused.
pub fn clean_text(field: &str, value: &str, size: TextSize) -> Result<String, Refusal> {
    let value = value.replace("\r\n", "\n");
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() && !(size.multiline() && (*c == '\n' || *c == '\t')))
    {
        let what = match c {
            '\0' => "a NUL byte".to_string(),
            '\n' | '\r' => "a line break".to_string(),
            c => format!("the control character U+{:04X}", c as u32),
        };
        return Err(Refusal::validation(format!(
            "The {field} contains {what}, which Leeway cannot store; please retype it."
        )));
    }
    let chars = value.chars().count();
    if chars > size.max_chars() {
        return Err(Refusal::validation(format!(
            "The {field} is {chars} characters long; the most Leeway accepts is {}.",
            size.max_chars()
        )));
    }
    Ok(value)
}

/// Text that passed [`clean_text`]: the only kind commands carry.
/// Deserializing checks it again, so a command replayed from storage is as
/// clean as one that came through the API.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FreeText(String);

impl FreeText {
    pub fn parse(field: &str, value: &str) -> Result<Self, Refusal> {
        clean_text(field, value, TextSize::Reason).map(FreeText)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn trimmed(&self) -> &str {
        self.0.trim()
    }
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl TryFrom<String> for FreeText {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        FreeText::parse("text", &value).map_err(|r| r.message)
    }
}

impl From<FreeText> for String {
    fn from(t: FreeText) -> String {
        t.0
    }
}

impl fmt::Display for FreeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The reasons a step needs at least one of, trimmed, blanks dropped;
/// `what` ends "give at least one reason …".
pub fn required_reasons(reasons: &[FreeText], what: &str) -> Result<Vec<String>, Refusal> {
    let reasons: Vec<String> = reasons
        .iter()
        .map(|r| r.trimmed().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    if reasons.is_empty() {
        Err(Refusal::validation(format!(
            "give at least one reason {what}"
        )))
    } else {
        Ok(reasons)
    }
}

/// Text a step needs, trimmed; `missing` is the refusal when it is blank.
pub fn required_text(text: &FreeText, missing: &str) -> Result<String, Refusal> {
    if text.is_blank() {
        Err(Refusal::validation(missing.to_string()))
    } else {
        Ok(text.trimmed().to_string())
    }
}

/// Reasons given as a list: each cleaned, blanks dropped.
pub fn parse_reasons(field: &str, values: &[String]) -> Result<Vec<FreeText>, Refusal> {
    if values.len() > 50 {
        return Err(Refusal::validation(format!(
            "Give at most 50 {field}; {} were sent.",
            values.len()
        )));
    }
    values
        .iter()
        .filter(|v| !v.trim().is_empty())
        .map(|v| FreeText::parse(field, v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_nul_and_control_characters_and_caps_length() {
        let err = FreeText::parse("reason", "bye\u{0}").unwrap_err();
        assert!(err.message.contains("NUL"), "{err}");
        assert!(FreeText::parse("reason", "a\u{7}b").is_err());
        assert_eq!(
            FreeText::parse("reason", "two\r\nlines\tand a tab")
                .unwrap()
                .as_str(),
            "two\nlines\tand a tab"
        );
        assert!(clean_text("name", "a\nb", TextSize::Line).is_err());
        let long = "x".repeat(TextSize::Reason.max_chars() + 1);
        assert!(
            FreeText::parse("reason", &long)
                .unwrap_err()
                .message
                .contains("characters long")
        );
    }

    #[test]
    fn deserializing_checks_again() {
        assert!(serde_json::from_str::<FreeText>("\"fine\"").is_ok());
        assert!(serde_json::from_str::<FreeText>("\"bad\\u0000\"").is_err());
    }
}

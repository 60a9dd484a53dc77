//! The page machinery under the report's PDF: a cursor that flows down US
//! Letter pages and breaks them, text in the base-14 fonts (so it must be
//! measured and wrapped here), and the tag tree that screen readers walk.
//! Every piece of page content is either tagged (marked content with an
//! MCID that a structure element claims) or marked as an artifact, because
//! a reader skips untagged content in a tagged PDF unpredictably.
use pdf_writer::types::{ArtifactType, StructRole, TableHeaderScope};
use pdf_writer::{Content, Name, Str};

use super::ReportPdfError;
use crate::report_pdf_metrics::{mono_width, width, win_ansi};

pub(crate) const PAGE_WIDTH: f32 = 612.0;
pub(crate) const PAGE_HEIGHT: f32 = 792.0;
const MARGIN: f32 = 72.0;
pub(crate) const LEFT: f32 = MARGIN;
pub(crate) const TOP: f32 = PAGE_HEIGHT - MARGIN;
pub(crate) const BOTTOM: f32 = MARGIN;
pub(crate) const BODY_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Input that would need more pages than this is refused rather than laid
/// out: no annual report comes near it, and it bounds time and memory.
const MAX_PAGES: usize = 5_000;

pub(crate) type Rgb = [f32; 3];
pub(crate) const INK: Rgb = [0.10, 0.11, 0.13];
pub(crate) const MUTED: Rgb = [0.30, 0.32, 0.36];
pub(crate) const ACCENT: Rgb = [0.07, 0.25, 0.45];
pub(crate) const RULE: Rgb = [0.70, 0.72, 0.76];
pub(crate) const WHITE: Rgb = [1.0, 1.0, 1.0];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Font {
    Regular,
    Bold,
    Mono,
}

impl Font {
    pub(crate) fn resource(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
            Font::Mono => Name(b"F3"),
        }
    }

    pub(crate) fn width(self, text: &str, size: f32) -> f32 {
        match self {
            Font::Regular => width(text, size, false),
            Font::Bold => width(text, size, true),
            Font::Mono => mono_width(text, size),
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Style {
    pub font: Font,
    pub size: f32,
    pub leading: f32,
    pub color: Rgb,
}

impl Style {
    pub(crate) const fn new(font: Font, size: f32, leading: f32, color: Rgb) -> Self {
        Style {
            font,
            size,
            leading,
            color,
        }
    }

    /// Distance from the top of a line box to its baseline; 0.78 of the size
    /// is about Helvetica's ascent, which centres the glyphs in the leading.
    pub(crate) fn baseline(self) -> f32 {
        (self.leading - self.size) / 2.0 + 0.78 * self.size
    }

    pub(crate) fn width(self, text: &str) -> f32 {
        self.font.width(text, self.size)
    }
}

pub(crate) struct Page {
    pub content: Content,
    /// The structure element that owns each MCID, in MCID order: the page's
    /// entry in the parent tree.
    pub owners: Vec<usize>,
}

impl Page {
    fn new() -> Self {
        Page {
            content: Content::new(),
            owners: Vec::new(),
        }
    }
}

pub(crate) enum Kid {
    Node(usize),
    Marked { page: usize, mcid: i32 },
}

pub(crate) struct Node {
    pub role: StructRole,
    pub parent: usize,
    pub kids: Vec<Kid>,
    pub alt: Option<String>,
    pub scope: Option<TableHeaderScope>,
}

pub(crate) struct Bookmark {
    pub title: String,
    pub page: usize,
    pub y: f32,
}

#[derive(Clone, Copy)]
enum Open {
    Tagged(usize),
    Artifact(ArtifactType),
}

pub(crate) struct Layout {
    pub pages: Vec<Page>,
    pub current: Page,
    /// Top of the free space on the current page.
    pub y: f32,
    /// Node 0 is the Document element.
    pub nodes: Vec<Node>,
    pub bookmarks: Vec<Bookmark>,
    open: Option<Open>,
}

pub(crate) type Flow = Result<(), ReportPdfError>;

impl Layout {
    pub(crate) fn new() -> Self {
        Layout {
            pages: Vec::new(),
            current: Page::new(),
            y: TOP,
            nodes: vec![Node {
                role: StructRole::Document,
                parent: 0,
                kids: Vec::new(),
                alt: None,
                scope: None,
            }],
            bookmarks: Vec::new(),
            open: None,
        }
    }

    pub(crate) fn page_index(&self) -> usize {
        self.pages.len()
    }

    pub(crate) fn content(&mut self) -> &mut Content {
        &mut self.current.content
    }

    /// Starts a new page; a marked-content sequence open at the break is
    /// closed and continued on the new page under a fresh MCID, so callers
    /// can flow text without caring where pages end.
    pub(crate) fn new_page(&mut self) -> Flow {
        if self.pages.len() + 1 >= MAX_PAGES {
            return Err(ReportPdfError::TooLarge(format!(
                "it would need more than {MAX_PAGES} pages"
            )));
        }
        let open = self.open.take();
        if open.is_some() {
            self.current.content.end_marked_content();
        }
        let page = std::mem::replace(&mut self.current, Page::new());
        self.pages.push(page);
        self.y = TOP;
        match open {
            Some(Open::Tagged(node)) => self.begin(node),
            Some(Open::Artifact(kind)) => self.begin_artifact(kind),
            None => {}
        }
        Ok(())
    }

    pub(crate) fn at_top(&self) -> bool {
        self.y >= TOP - 0.01
    }

    pub(crate) fn room(&self) -> f32 {
        self.y - BOTTOM
    }

    /// Breaks the page unless `height` still fits; at the top of a page
    /// nothing more can be gained, so the block is drawn there regardless.
    pub(crate) fn ensure(&mut self, height: f32) -> Flow {
        if height > self.room() && !self.at_top() {
            self.new_page()?;
        }
        Ok(())
    }

    /// Vertical space, which is dropped at the top of a page.
    pub(crate) fn space(&mut self, height: f32) {
        if !self.at_top() {
            self.y = (self.y - height).max(BOTTOM);
        }
    }

    pub(crate) fn node(&mut self, role: StructRole, parent: usize) -> usize {
        let id = self.nodes.len();
        self.nodes.push(Node {
            role,
            parent,
            kids: Vec::new(),
            alt: None,
            scope: None,
        });
        if let Some(p) = self.nodes.get_mut(parent) {
            p.kids.push(Kid::Node(id));
        }
        id
    }

    pub(crate) fn set_alt(&mut self, node: usize, alt: String) {
        if let Some(n) = self.nodes.get_mut(node) {
            n.alt = Some(alt);
        }
    }

    pub(crate) fn set_scope(&mut self, node: usize, scope: TableHeaderScope) {
        if let Some(n) = self.nodes.get_mut(node) {
            n.scope = Some(scope);
        }
    }

    pub(crate) fn bookmark(&mut self, title: &str) {
        self.bookmarks.push(Bookmark {
            title: title.to_string(),
            page: self.page_index(),
            y: self.y,
        });
    }

    /// Opens marked content that `node` claims.
    pub(crate) fn begin(&mut self, node: usize) {
        self.end();
        let Some(n) = self.nodes.get_mut(node) else {
            return;
        };
        let page = self.pages.len();
        let Ok(mcid) = i32::try_from(self.current.owners.len()) else {
            return;
        };
        n.kids.push(Kid::Marked { page, mcid });
        self.current.owners.push(node);
        self.current
            .content
            .begin_marked_content_with_properties(n.role.to_name())
            .properties()
            .identify(mcid);
        self.open = Some(Open::Tagged(node));
    }

    pub(crate) fn begin_artifact(&mut self, kind: ArtifactType) {
        self.end();
        begin_artifact(&mut self.current.content, kind);
        self.open = Some(Open::Artifact(kind));
    }

    pub(crate) fn end(&mut self) {
        if self.open.take().is_some() {
            self.current.content.end_marked_content();
        }
    }

    pub(crate) fn text(&mut self, x: f32, baseline: f32, style: Style, text: &str) {
        draw_text(&mut self.current.content, x, baseline, style, text);
    }

    pub(crate) fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        fill_rect(&mut self.current.content, x, y, w, h, color);
    }

    pub(crate) fn line(&mut self, from: (f32, f32), to: (f32, f32), width: f32, color: Rgb) {
        line(&mut self.current.content, from, to, width, color);
    }

    /// Draws already-wrapped lines for `node`, breaking pages between lines.
    pub(crate) fn flow(&mut self, node: usize, lines: &[String], x: f32, style: Style) -> Flow {
        if lines.is_empty() {
            return Ok(());
        }
        self.begin(node);
        for line in lines {
            if self.y - style.leading < BOTTOM && !self.at_top() {
                self.new_page()?;
            }
            let baseline = self.y - style.baseline();
            self.text(x, baseline, style, line);
            self.y -= style.leading;
        }
        self.end();
        Ok(())
    }

    /// A wrapped block of text as its own structure element under `parent`;
    /// nothing (and no element) for empty text.
    pub(crate) fn paragraph(
        &mut self,
        parent: usize,
        role: StructRole,
        text: &str,
        x: f32,
        width: f32,
        style: Style,
    ) -> Result<Option<usize>, ReportPdfError> {
        let lines = wrap(&clean(text), style, width);
        if lines.is_empty() {
            return Ok(None);
        }
        // Never leave a paragraph's first line alone at the foot of a page.
        self.ensure(style.leading * lines.len().min(2) as f32)?;
        let node = self.node(role, parent);
        self.flow(node, &lines, x, style)?;
        Ok(Some(node))
    }

    pub(crate) fn finish(mut self) -> (Vec<Page>, Vec<Node>, Vec<Bookmark>) {
        self.end();
        self.pages.push(self.current);
        (self.pages, self.nodes, self.bookmarks)
    }
}

pub(crate) fn begin_artifact(content: &mut Content, kind: ArtifactType) {
    content
        .begin_marked_content_with_properties(Name(b"Artifact"))
        .properties()
        .artifact()
        .kind(kind);
}

pub(crate) fn draw_text(content: &mut Content, x: f32, baseline: f32, style: Style, text: &str) {
    if text.is_empty() {
        return;
    }
    let [r, g, b] = style.color;
    content
        .set_fill_rgb(r, g, b)
        .begin_text()
        .set_font(style.font.resource(), style.size)
        .next_line(x, baseline)
        .show(Str(&encode(text)))
        .end_text();
}

pub(crate) fn fill_rect(content: &mut Content, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
    let [r, g, b] = color;
    content
        .set_fill_rgb(r, g, b)
        .rect(x, y, w, h)
        .fill_nonzero();
}

pub(crate) fn line(
    content: &mut Content,
    from: (f32, f32),
    to: (f32, f32),
    width: f32,
    color: Rgb,
) {
    let [r, g, b] = color;
    content
        .set_stroke_rgb(r, g, b)
        .set_line_width(width.max(0.0))
        .move_to(from.0, from.1)
        .line_to(to.0, to.1)
        .stroke();
}

/// The WinAnsi bytes of text that went through [`clean`].
pub(crate) fn encode(text: &str) -> Vec<u8> {
    text.chars().map(|c| win_ansi(c).unwrap_or(b'?')).collect()
}

/// Maps text onto what WinAnsiEncoding can print. Punctuation and letters
/// it lacks become their nearest plain form; anything else becomes "?" so
/// the reader sees that something was there. Invisible characters go.
pub(crate) fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' => {}
            '\u{300}'..='\u{36f}' => {}
            c if c.is_control() => {}
            c if win_ansi(c).is_some() => out.push(c),
            '\u{2010}'..='\u{2012}' | '\u{2043}' | '\u{2212}' => out.push('-'),
            '\u{2015}' => out.push('—'),
            '\u{201b}' | '\u{2032}' => out.push('\''),
            '\u{201f}' | '\u{2033}' => out.push('"'),
            '\u{2000}'..='\u{200a}' | '\u{205f}' | '\u{3000}' => out.push(' '),
            '\u{202f}' => out.push('\u{a0}'),
            '\u{2044}' | '\u{2215}' => out.push('/'),
            '\u{2023}' | '\u{25aa}' | '\u{25cf}' | '\u{2219}' => out.push('•'),
            '\u{2264}' => out.push_str("<="),
            '\u{2265}' => out.push_str(">="),
            '\u{2260}' => out.push_str("!="),
            '\u{2248}' => out.push('~'),
            '\u{2192}' => out.push_str("->"),
            '\u{2190}' => out.push_str("<-"),
            '\u{fb01}' => out.push_str("fi"),
            '\u{fb02}' => out.push_str("fl"),
            '\u{132}' => out.push_str("IJ"),
            '\u{133}' => out.push_str("ij"),
            '\u{149}' => out.push_str("'n"),
            '\u{218}' => out.push('S'),
            '\u{219}' => out.push('s'),
            '\u{21a}' => out.push('T'),
            '\u{21b}' => out.push('t'),
            '\u{100}'..='\u{17f}' => {
                let base = LATIN_EXTENDED_A
                    .chars()
                    .nth(c as usize - 0x100)
                    .unwrap_or('?');
                out.push(base);
            }
            _ => out.push('?'),
        }
    }
    out
}

/// The base letter of each character U+0100..=U+017F.
const LATIN_EXTENDED_A: &str = concat!(
    "AaAaAaCcCcCcCcDd",
    "DdEeEeEeEeEeGgGg",
    "GgGgHhHhIiIiIiIi",
    "IiIiJjKkkLlLlLlL",
    "lLlNnNnNnnNnOoOo",
    "OoOoRrRrRrSsSsSs",
    "SsTtTtTtUuUuUuUu",
    "UuUuWwYyYZzZzZzs",
);

/// Greedy line breaking at spaces; a word wider than the line is broken
/// between characters so nothing runs off the page. Newlines are kept as
/// line breaks. Empty text gives no lines. A line that ends where a space
/// or newline was keeps one trailing space: it prints as nothing, but text
/// extraction and screen readers would otherwise run the last word of one
/// line into the first of the next.
pub(crate) fn wrap(text: &str, style: Style, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    if text.trim().is_empty() {
        return lines;
    }
    let space = style.width(" ");
    for hard in text.split('\n') {
        let mut line = String::new();
        let mut line_width = 0.0;
        for word in hard.split(' ').filter(|w| !w.is_empty()) {
            let word_width = style.width(word);
            if !line.is_empty() && line_width + space + word_width <= width {
                line.push(' ');
                line.push_str(word);
                line_width += space + word_width;
                continue;
            }
            if !line.is_empty() {
                line.push(' ');
                lines.push(std::mem::take(&mut line));
            }
            if word_width <= width {
                line.push_str(word);
                line_width = word_width;
            } else {
                let mut pieces = break_word(word, style, width);
                let last = pieces.pop().unwrap_or_default();
                lines.extend(pieces);
                line_width = style.width(&last);
                line = last;
            }
        }
        line.push(' ');
        lines.push(line);
    }
    // Trailing newlines would otherwise print as blank lines.
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    if let Some(last) = lines.last_mut() {
        last.truncate(last.trim_end().len());
    }
    lines
}

fn break_word(word: &str, style: Style, width: f32) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    let mut piece_width = 0.0;
    for c in word.chars() {
        let w = style.width(c.encode_utf8(&mut [0; 4]));
        if !piece.is_empty() && piece_width + w > width {
            pieces.push(std::mem::take(&mut piece));
            piece_width = 0.0;
        }
        piece.push(c);
        piece_width += w;
    }
    pieces.push(piece);
    pieces
}

/// `text` cut to `width` with an ellipsis, for labels that have one line.
pub(crate) fn truncate(text: &str, style: Style, width: f32) -> String {
    if style.width(text) <= width {
        return text.to_string();
    }
    let budget = width - style.width("…");
    let mut out = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        let w = style.width(c.encode_utf8(&mut [0; 4]));
        if used + w > budget {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

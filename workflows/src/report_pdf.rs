//! The annual report as the PDF that legislators read: a cover, the
//! summary, each section with its tables and bar charts, the audit anchors
//! and the suppression note, on US Letter pages numbered "Page N of M".
//!
//! The file is tagged for screen readers (structure tree with headings,
//! paragraphs, lists, tables and figures with alternative text, /Lang,
//! /MarkInfo) and uses only the standard base-14 fonts in WinAnsiEncoding,
//! so nothing is embedded. The same document always gives the same bytes:
//! there is no timestamp, so a PDF can be compared with its audit record.
use pdf_writer::types::{ArtifactType, PageMode, StructRole, TabOrder};
use pdf_writer::writers::StructTreeRoot;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, TextStr};

use crate::report_document::{Anchor, ReportDocument, Section};
use chart::chart;
use layout::{
    ACCENT, BODY_WIDTH, Flow, Font, INK, Kid, LEFT, Layout, MUTED, PAGE_HEIGHT, PAGE_WIDTH, RULE,
    Style, begin_artifact, clean, draw_text, line, truncate, wrap,
};
use table::table;

// The helpers sit beside this file (report_pdf_*.rs) rather than in a
// report_pdf/ directory so the report's files list together.
#[path = "report_pdf_chart.rs"]
mod chart;
#[path = "report_pdf_layout.rs"]
mod layout;
#[path = "report_pdf_table.rs"]
mod table;

#[derive(Debug, thiserror::Error)]
pub enum ReportPdfError {
    /// The document needs more pages or PDF objects than a PDF can number
    /// or than this renderer allows (a few thousand pages).
    #[error("the report cannot be written as a PDF: {0}")]
    TooLarge(String),
}

const BODY: Style = Style::new(Font::Regular, 10.5, 14.5, INK);
const HEADING: Style = Style::new(Font::Bold, 15.0, 19.0, ACCENT);
const NOTE: Style = Style::new(Font::Regular, 9.5, 13.0, INK);
const ANCHOR_LABEL: Style = Style::new(Font::Bold, 9.5, 13.0, INK);
const ANCHOR_VALUE: Style = Style::new(Font::Mono, 9.0, 13.0, INK);
const FOOTER: Style = Style::new(Font::Regular, 8.0, 10.0, MUTED);
const BULLET_INDENT: f32 = 16.0;

/// Lays the report out and writes it as a tagged PDF.
pub fn render(doc: &ReportDocument) -> Result<Vec<u8>, ReportPdfError> {
    let mut layout = Layout::new();
    cover(&mut layout, doc)?;
    let after_cover = !doc.summary.is_empty()
        || !doc.sections.is_empty()
        || !doc.anchors.is_empty()
        || !doc.suppression_note.trim().is_empty();
    if after_cover {
        layout.new_page()?;
    }
    summary(&mut layout, &doc.summary)?;
    for s in &doc.sections {
        section(&mut layout, s)?;
    }
    anchors(&mut layout, &doc.anchors)?;
    if !doc.suppression_note.trim().is_empty() {
        layout.space(16.0);
        layout.ensure(3.0 * NOTE.leading + 8.0)?;
        let y = layout.y;
        layout.begin_artifact(ArtifactType::Layout);
        layout.line((LEFT, y), (LEFT + 120.0, y), 0.6, RULE);
        layout.end();
        layout.y -= 8.0;
        layout.paragraph(
            0,
            StructRole::P,
            &doc.suppression_note,
            LEFT,
            BODY_WIDTH,
            NOTE,
        )?;
    }
    write(doc, layout)
}

fn cover(layout: &mut Layout, doc: &ReportDocument) -> Flow {
    const AGENCY: Style = Style::new(Font::Bold, 13.0, 17.0, ACCENT);
    const TITLE: Style = Style::new(Font::Bold, 28.0, 34.0, INK);
    const YEAR: Style = Style::new(Font::Regular, 20.0, 26.0, ACCENT);
    const DETAIL: Style = Style::new(Font::Regular, 11.0, 15.0, INK);
    const VERSION: Style = Style::new(Font::Regular, 9.5, 13.0, MUTED);
    layout.begin_artifact(ArtifactType::Layout);
    layout.fill_rect(0.0, PAGE_HEIGHT - 28.0, PAGE_WIDTH, 28.0, ACCENT);
    layout.end();
    layout.paragraph(0, StructRole::P, &doc.agency, LEFT, BODY_WIDTH, AGENCY)?;
    // The title sits about a third of the way down, as on a printed cover.
    layout.y = layout.y.min(PAGE_HEIGHT - 260.0);
    let title = doc.title.trim();
    if !title.is_empty() {
        layout.bookmark(title);
    }
    layout.paragraph(0, StructRole::H1, &doc.title, LEFT, BODY_WIDTH, TITLE)?;
    layout.space(8.0);
    layout.paragraph(0, StructRole::P, &doc.year_label, LEFT, BODY_WIDTH, YEAR)?;
    layout.space(22.0);
    let y = layout.y;
    layout.begin_artifact(ArtifactType::Layout);
    layout.line((LEFT, y), (LEFT + 96.0, y), 2.0, ACCENT);
    layout.end();
    layout.space(22.0);
    for (text, style) in [
        (&doc.statute, DETAIL),
        (&doc.due_line, DETAIL),
        (&doc.version_line, VERSION),
    ] {
        if layout
            .paragraph(0, StructRole::P, text, LEFT, BODY_WIDTH, style)?
            .is_some()
        {
            layout.space(6.0);
        }
    }
    Ok(())
}

/// A section heading kept together with the start of what follows it.
fn heading(layout: &mut Layout, parent: usize, text: &str) -> Flow {
    let lines = wrap(&clean(text), HEADING, BODY_WIDTH);
    if lines.is_empty() {
        return Ok(());
    }
    layout.space(18.0);
    layout.ensure(lines.len() as f32 * HEADING.leading + 6.0 + 3.0 * BODY.leading)?;
    layout.bookmark(text.trim());
    let node = layout.node(StructRole::H2, parent);
    layout.flow(node, &lines, LEFT, HEADING)?;
    let y = layout.y - 2.0;
    layout.begin_artifact(ArtifactType::Layout);
    layout.line((LEFT, y), (LEFT + BODY_WIDTH, y), 0.6, RULE);
    layout.end();
    layout.y -= 10.0;
    Ok(())
}

fn paragraphs(layout: &mut Layout, parent: usize, texts: &[String]) -> Flow {
    for text in texts {
        if layout
            .paragraph(parent, StructRole::P, text, LEFT, BODY_WIDTH, BODY)?
            .is_some()
        {
            layout.space(7.0);
        }
    }
    Ok(())
}

fn summary(layout: &mut Layout, summary: &[String]) -> Flow {
    if summary.iter().all(|p| clean(p).trim().is_empty()) {
        return Ok(());
    }
    let sect = layout.node(StructRole::Sect, 0);
    heading(layout, sect, "Summary")?;
    paragraphs(layout, sect, summary)
}

fn section(layout: &mut Layout, section: &Section) -> Flow {
    let sect = layout.node(StructRole::Sect, 0);
    heading(layout, sect, &section.heading)?;
    paragraphs(layout, sect, &section.paragraphs)?;
    bullets(layout, sect, &section.bullets)?;
    for t in &section.tables {
        layout.space(10.0);
        table(layout, sect, t)?;
        layout.space(8.0);
    }
    for c in &section.charts {
        layout.space(14.0);
        chart(layout, sect, c)?;
        layout.space(8.0);
    }
    Ok(())
}

fn bullets(layout: &mut Layout, parent: usize, items: &[String]) -> Flow {
    let items: Vec<Vec<String>> = items
        .iter()
        .map(|b| wrap(&clean(b), BODY, BODY_WIDTH - BULLET_INDENT))
        .filter(|lines| !lines.is_empty())
        .collect();
    if items.is_empty() {
        return Ok(());
    }
    let list = layout.node(StructRole::L, parent);
    for lines in &items {
        layout.ensure(BODY.leading * lines.len().min(2) as f32)?;
        let item = layout.node(StructRole::LI, list);
        let label = layout.node(StructRole::Lbl, item);
        let body = layout.node(StructRole::LBody, item);
        layout.begin(label);
        let baseline = layout.y - BODY.baseline();
        layout.text(LEFT + 4.0, baseline, BODY, "•");
        layout.end();
        layout.flow(body, lines, LEFT + BULLET_INDENT, BODY)?;
        layout.space(4.0);
    }
    layout.space(4.0);
    Ok(())
}

/// Each anchor's label, then its value in Courier (hex digests read better
/// in a fixed pitch), beside the label when it fits and below it otherwise.
fn anchors(layout: &mut Layout, anchors: &[Anchor]) -> Flow {
    if anchors.is_empty() {
        return Ok(());
    }
    let sect = layout.node(StructRole::Sect, 0);
    heading(layout, sect, "Audit anchors")?;
    for anchor in anchors {
        let label = clean(anchor.label.trim());
        let label = if label.is_empty() {
            label
        } else {
            format!("{label}:")
        };
        let value = clean(anchor.value.trim());
        let beside = ANCHOR_LABEL.width(&label) + 6.0;
        let p = layout.node(StructRole::P, sect);
        if beside + ANCHOR_VALUE.width(&value) <= BODY_WIDTH && !value.contains('\n') {
            layout.ensure(ANCHOR_LABEL.leading)?;
            let baseline = layout.y - ANCHOR_LABEL.baseline();
            layout.begin(p);
            layout.text(LEFT, baseline, ANCHOR_LABEL, &label);
            layout.text(LEFT + beside, baseline, ANCHOR_VALUE, &value);
            layout.end();
            layout.y -= ANCHOR_LABEL.leading;
        } else {
            let labels = wrap(&label, ANCHOR_LABEL, BODY_WIDTH);
            let values = wrap(&value, ANCHOR_VALUE, BODY_WIDTH - 12.0);
            layout.ensure(ANCHOR_LABEL.leading * (labels.len() + values.len().min(1)) as f32)?;
            layout.flow(p, &labels, LEFT, ANCHOR_LABEL)?;
            layout.flow(p, &values, LEFT + 12.0, ANCHOR_VALUE)?;
        }
        layout.space(5.0);
    }
    Ok(())
}

fn footer(content: &mut Content, number: usize, total: usize, title: &str) {
    begin_artifact(content, ArtifactType::Pagination);
    line(content, (LEFT, 54.0), (LEFT + BODY_WIDTH, 54.0), 0.4, RULE);
    draw_text(content, LEFT, 42.0, FOOTER, title);
    let page = format!("Page {number} of {total}");
    let x = LEFT + BODY_WIDTH - FOOTER.width(&page);
    draw_text(content, x, 42.0, FOOTER, &page);
    content.end_marked_content();
}

/// Hands out object numbers; a document too big for them is an error, not
/// a panic inside pdf-writer.
struct Ids(i32);

impl Ids {
    fn next(&mut self) -> Result<Ref, ReportPdfError> {
        let id = self.0;
        self.0 = id
            .checked_add(1)
            .ok_or_else(|| ReportPdfError::TooLarge("too many PDF objects".to_string()))?;
        Ok(Ref::new(id))
    }

    fn many(&mut self, n: usize) -> Result<Vec<Ref>, ReportPdfError> {
        (0..n).map(|_| self.next()).collect()
    }
}

fn key(i: usize) -> Result<i32, ReportPdfError> {
    i32::try_from(i).map_err(|_| ReportPdfError::TooLarge("too many pages".to_string()))
}

fn write(doc: &ReportDocument, layout: Layout) -> Result<Vec<u8>, ReportPdfError> {
    let (mut pages, nodes, bookmarks) = layout.finish();
    let total = pages.len();
    let footer_title = truncate(&clean(doc.title.trim()), FOOTER, BODY_WIDTH - 90.0);
    for (i, page) in pages.iter_mut().enumerate() {
        footer(&mut page.content, i + 1, total, &footer_title);
    }

    let mut ids = Ids(1);
    let catalog_id = ids.next()?;
    let tree_id = ids.next()?;
    let info_id = ids.next()?;
    let root_id = ids.next()?;
    let metadata_id = ids.next()?;
    let outline_id = ids.next()?;
    let fonts = [
        (ids.next()?, Font::Regular, Name(b"Helvetica")),
        (ids.next()?, Font::Bold, Name(b"Helvetica-Bold")),
        (ids.next()?, Font::Mono, Name(b"Courier")),
    ];
    let page_ids = ids.many(total)?;
    let content_ids = ids.many(total)?;
    let owner_ids = ids.many(total)?;
    let node_ids = ids.many(nodes.len())?;
    let bookmark_ids = ids.many(bookmarks.len())?;

    let mut pdf = Pdf::new();
    let title = match doc.title.trim() {
        "" => "Annual report",
        t => t,
    };
    let mut catalog = pdf.catalog(catalog_id);
    catalog
        .pages(tree_id)
        .lang(TextStr("en-US"))
        .metadata(metadata_id);
    catalog.pair(Name(b"StructTreeRoot"), root_id);
    catalog.mark_info().marked(true);
    catalog.viewer_preferences().display_doc_title(true);
    if !bookmarks.is_empty() {
        catalog
            .outlines(outline_id)
            .page_mode(PageMode::UseOutlines);
    }
    catalog.finish();

    let mut info = pdf.document_info(info_id);
    info.title(TextStr(title)).creator(TextStr("Leeway"));
    if !doc.agency.trim().is_empty() {
        info.author(TextStr(doc.agency.trim()));
    }
    if !doc.year_label.trim().is_empty() {
        info.subject(TextStr(&format!(
            "Annual report for {}",
            doc.year_label.trim()
        )));
    }
    info.finish();
    let xmp = xmp(title, doc.agency.trim());
    pdf.stream(metadata_id, xmp.as_bytes())
        .pair(Name(b"Type"), Name(b"Metadata"))
        .pair(Name(b"Subtype"), Name(b"XML"));

    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(key(total)?);
    for (id, _, base) in &fonts {
        pdf.type1_font(*id)
            .base_font(*base)
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    for (i, page) in pages.into_iter().enumerate() {
        let (Some(&page_id), Some(&content_id), Some(&owners_id)) =
            (page_ids.get(i), content_ids.get(i), owner_ids.get(i))
        else {
            continue;
        };
        let mut writer = pdf.page(page_id);
        writer
            .media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .parent(tree_id)
            .contents(content_id)
            .struct_parents(key(i)?)
            .tab_order(TabOrder::StructureOrder);
        let mut resources = writer.resources();
        let mut font_dict = resources.fonts();
        for (id, font, _) in &fonts {
            font_dict.pair(font.resource(), *id);
        }
        font_dict.finish();
        resources.finish();
        writer.finish();
        pdf.stream(content_id, &page.content.finish());
        let owners = page.owners.iter().filter_map(|n| node_ids.get(*n).copied());
        pdf.indirect(owners_id).array().items(owners);
    }

    let mut root = pdf.indirect(root_id).start::<StructTreeRoot>();
    if let Some(&document) = node_ids.first() {
        root.child(document);
    }
    let mut parent_tree = root.parent_tree();
    let mut nums = parent_tree.nums();
    for (i, id) in owner_ids.iter().enumerate() {
        nums.insert(key(i)?, *id);
    }
    nums.finish();
    parent_tree.finish();
    root.parent_tree_next_key(key(total)?);
    root.finish();

    for (i, node) in nodes.iter().enumerate() {
        let Some(&id) = node_ids.get(i) else { continue };
        let parent = match i {
            0 => root_id,
            _ => node_ids.get(node.parent).copied().unwrap_or(root_id),
        };
        let mut element = pdf.struct_element(id);
        element.kind(node.role).parent(parent);
        if let Some(alt) = &node.alt {
            element.alt(TextStr(alt));
        }
        if let Some(scope) = node.scope {
            element.attributes().push().table().scope(scope);
        }
        let mut kids = element.children();
        for kid in &node.kids {
            match *kid {
                Kid::Node(k) => {
                    if let Some(&kid_id) = node_ids.get(k) {
                        kids.struct_element(kid_id);
                    }
                }
                Kid::Marked { page, mcid } => {
                    if let Some(&page_id) = page_ids.get(page) {
                        kids.marked_content_ref()
                            .page(page_id)
                            .marked_content_id(mcid);
                    }
                }
            }
        }
    }

    if let (Some(&first), Some(&last)) = (bookmark_ids.first(), bookmark_ids.last()) {
        pdf.outline(outline_id)
            .first(first)
            .last(last)
            .count(key(bookmarks.len())?);
        for (i, mark) in bookmarks.iter().enumerate() {
            let (Some(&id), Some(&page_id)) = (bookmark_ids.get(i), page_ids.get(mark.page)) else {
                continue;
            };
            let mut item = pdf.outline_item(id);
            item.title(TextStr(&mark.title)).parent(outline_id);
            if let Some(&prev) = i.checked_sub(1).and_then(|p| bookmark_ids.get(p)) {
                item.prev(prev);
            }
            if let Some(&next) = bookmark_ids.get(i + 1) {
                item.next(next);
            }
            item.dest().page(page_id).xyz(0.0, mark.y + 8.0, None);
        }
    }
    Ok(pdf.finish())
}

/// The XMP packet: Acrobat and PDF/UA checkers read the title from here
/// rather than from the info dictionary.
fn xmp(title: &str, agency: &str) -> String {
    let creator = if agency.is_empty() {
        String::new()
    } else {
        format!(
            "<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>",
            xml(agency)
        )
    };
    format!(
        concat!(
            "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>",
            "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">",
            "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">",
            "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">",
            "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>",
            "{}<dc:language><rdf:Bag><rdf:li>en-US</rdf:li></rdf:Bag></dc:language>",
            "</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"r\"?>"
        ),
        xml(title),
        creator
    )
}

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // XML 1.0 has no way to write other control characters.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

//! Tables in the report's PDF: columns fitted to their content, the first
//! (label) column taking what is left and wrapping, numbers right-aligned,
//! and rows that do not fit carried to the next page under a repeated
//! header. Only the first header is tagged; repeats are artifacts so a
//! screen reader meets each header cell once.
use pdf_writer::types::{ArtifactType, StructRole, TableHeaderScope};

use super::layout::{
    ACCENT, BODY_WIDTH, BOTTOM, Flow, Font, INK, LEFT, Layout, MUTED, Style, TOP, clean, wrap,
};
use crate::report_document::{Table, WITHHELD};

const PAD_X: f32 = 5.0;
const PAD_Y: f32 = 3.5;
const CAPTION: Style = Style::new(Font::Bold, 10.0, 13.0, INK);
const HEADER: Style = Style::new(Font::Bold, 8.5, 10.5, INK);
const CELL: Style = Style::new(Font::Regular, 8.5, 10.5, INK);
const NOTE: Style = Style::new(Font::Regular, 8.0, 10.5, MUTED);
const HEADER_FILL: [f32; 3] = [0.88, 0.91, 0.95];
const STRIPE_FILL: [f32; 3] = [0.955, 0.96, 0.97];

struct Grid {
    widths: Vec<f32>,
    right: Vec<bool>,
    header: Vec<Vec<String>>,
    header_height: f32,
}

pub(crate) fn table(layout: &mut Layout, parent: usize, table: &Table) -> Flow {
    let columns = table
        .rows
        .iter()
        .map(Vec::len)
        .chain([table.columns.len()])
        .max()
        .unwrap_or(0);
    let header = cells(&table.columns, columns);
    let rows: Vec<Vec<String>> = table.rows.iter().map(|r| cells(r, columns)).collect();
    let caption = wrap(&clean(&table.caption), CAPTION, BODY_WIDTH);

    if columns == 0 {
        // No cells: an empty Table element would only confuse a reader.
        layout.paragraph(
            parent,
            StructRole::P,
            &table.caption,
            LEFT,
            BODY_WIDTH,
            CAPTION,
        )?;
    } else {
        let node = layout.node(StructRole::Table, parent);
        let grid = grid(&header, &rows, columns);
        let first_row = rows
            .first()
            .map(|r| row_lines(r, &grid))
            .map_or(0.0, |l| height(&l, CELL));
        // Keep the caption, the header and the first row together.
        let together = caption.len() as f32 * CAPTION.leading + 4.0 + grid.header_height;
        layout.ensure(together + first_row.min(TOP - BOTTOM - together))?;
        if !caption.is_empty() {
            let c = layout.node(StructRole::Caption, node);
            layout.flow(c, &caption, LEFT, CAPTION)?;
            layout.y -= 4.0;
        }
        draw_header(layout, &grid, Some(node));
        for (i, row) in rows.iter().enumerate() {
            draw_row(layout, &grid, node, row, i % 2 == 1)?;
        }
        let total: f32 = grid.widths.iter().sum();
        let y = layout.y;
        layout.begin_artifact(ArtifactType::Layout);
        layout.line((LEFT, y), (LEFT + total, y), 0.8, ACCENT);
        layout.end();
    }
    if let Some(note) = &table.note {
        layout.y -= 5.0;
        layout.paragraph(parent, StructRole::P, note, LEFT, BODY_WIDTH, NOTE)?;
    }
    Ok(())
}

/// Exactly `n` cleaned cells, padding short rows with blanks.
fn cells(row: &[String], n: usize) -> Vec<String> {
    let mut out: Vec<String> = row.iter().map(|c| clean(c)).collect();
    out.resize(n, String::new());
    out
}

fn numeric(cell: &str) -> bool {
    let cell = cell.trim();
    cell == WITHHELD
        || (cell.chars().any(|c| c.is_ascii_digit())
            && cell
                .chars()
                .all(|c| c.is_ascii_digit() || ",.$%-+()* \u{a0}–".contains(c)))
}

fn longest_word(text: &str, style: Style) -> f32 {
    text.split([' ', '\n'])
        .map(|w| style.width(w))
        .fold(0.0, f32::max)
}

fn widest_line(text: &str, style: Style) -> f32 {
    text.split('\n').map(|l| style.width(l)).fold(0.0, f32::max)
}

fn grid(header: &[String], rows: &[Vec<String>], columns: usize) -> Grid {
    let mut natural = vec![0.0f32; columns];
    let mut minimum = vec![0.0f32; columns];
    let mut right = vec![false; columns];
    for c in 0..columns {
        let head = header.get(c).map_or("", String::as_str);
        let body = rows.iter().filter_map(|r| r.get(c));
        natural[c] = body
            .clone()
            .map(|s| widest_line(s, CELL))
            .fold(widest_line(head, HEADER), f32::max)
            + 2.0 * PAD_X;
        minimum[c] = body
            .clone()
            .map(|s| longest_word(s, CELL))
            .fold(longest_word(head, HEADER), f32::max)
            .min(BODY_WIDTH / 2.0)
            + 2.0 * PAD_X;
        let mut filled = body.filter(|s| !s.trim().is_empty()).peekable();
        right[c] = c > 0 && filled.peek().is_some() && filled.all(|s| numeric(s));
        // Narrow number columns crowd their headers together.
        if right[c] {
            natural[c] = natural[c].max(52.0);
        }
    }
    let widths = fit(&natural, &minimum, BODY_WIDTH);
    let header: Vec<Vec<String>> = header
        .iter()
        .zip(&widths)
        .map(|(h, w)| wrap(h, HEADER, w - 2.0 * PAD_X))
        .collect();
    let header_height = height(&header, HEADER);
    Grid {
        widths,
        right,
        header,
        header_height,
    }
}

/// Column widths: natural widths with the slack given to the label column;
/// if they are too wide, the label column wraps first, and only then do all
/// columns shrink towards their longest word.
fn fit(natural: &[f32], minimum: &[f32], available: f32) -> Vec<f32> {
    let total: f32 = natural.iter().sum();
    let mut widths = natural.to_vec();
    let others: f32 = natural.iter().skip(1).sum();
    let first_natural = natural.first().copied().unwrap_or(0.0);
    let first_minimum = minimum.first().copied().unwrap_or(0.0);
    if total <= available {
        if let Some(first) = widths.first_mut() {
            *first += available - total;
        }
        return widths;
    }
    let first_floor = first_minimum.max((available * 0.3).min(first_natural));
    if others + first_floor <= available {
        if let Some(first) = widths.first_mut() {
            *first = available - others;
        }
        return widths;
    }
    let minimum_total: f32 = minimum.iter().sum();
    if minimum_total >= available || total <= minimum_total {
        let share = available / minimum_total.max(1.0);
        return minimum.iter().map(|m| m * share).collect();
    }
    let k = (available - minimum_total) / (total - minimum_total);
    natural
        .iter()
        .zip(minimum)
        .map(|(n, m)| m + (n - m) * k)
        .collect()
}

fn height(lines: &[Vec<String>], style: Style) -> f32 {
    let most = lines.iter().map(Vec::len).max().unwrap_or(0).max(1);
    most as f32 * style.leading + 2.0 * PAD_Y
}

fn row_lines(row: &[String], grid: &Grid) -> Vec<Vec<String>> {
    row.iter()
        .zip(&grid.widths)
        .map(|(cell, w)| wrap(cell, CELL, w - 2.0 * PAD_X))
        .collect()
}

/// The header row; tagged as TR/TH under `table` the first time, an
/// artifact when repeated after a page break.
fn draw_header(layout: &mut Layout, grid: &Grid, table: Option<usize>) {
    let total: f32 = grid.widths.iter().sum();
    let top = layout.y;
    let bottom = top - grid.header_height;
    layout.begin_artifact(ArtifactType::Layout);
    layout.fill_rect(LEFT, bottom, total, grid.header_height, HEADER_FILL);
    layout.line((LEFT, top), (LEFT + total, top), 0.8, ACCENT);
    layout.line((LEFT, bottom), (LEFT + total, bottom), 0.6, ACCENT);
    layout.end();
    let row = table.map(|t| layout.node(StructRole::TR, t));
    if row.is_none() {
        layout.begin_artifact(ArtifactType::Pagination);
    }
    let mut x = LEFT;
    for (c, lines) in grid.header.iter().enumerate() {
        let w = grid.widths.get(c).copied().unwrap_or(0.0);
        if let Some(row) = row {
            let th = layout.node(StructRole::TH, row);
            layout.set_scope(th, TableHeaderScope::Column);
            layout.begin(th);
        }
        let right = grid.right.get(c).copied().unwrap_or(false);
        cell_text(layout, lines, x, w, top, right, HEADER);
        if row.is_some() {
            layout.end();
        }
        x += w;
    }
    layout.end();
    layout.y = bottom;
}

fn cell_text(
    layout: &mut Layout,
    lines: &[String],
    x: f32,
    w: f32,
    top: f32,
    right: bool,
    style: Style,
) {
    let mut y = top - PAD_Y;
    for line in lines {
        let lx = if right {
            x + w - PAD_X - style.width(line.trim_end())
        } else {
            x + PAD_X
        };
        layout.text(lx, y - style.baseline(), style, line);
        y -= style.leading;
    }
}

/// One body row, split between pages line by line if it is taller than a
/// page; a shorter row that does not fit moves whole to the next page.
fn draw_row(layout: &mut Layout, grid: &Grid, table: usize, row: &[String], striped: bool) -> Flow {
    let lines = row_lines(row, grid);
    let total_lines = lines.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let tr = layout.node(StructRole::TR, table);
    let tds: Vec<usize> = (0..lines.len())
        .map(|_| layout.node(StructRole::TD, tr))
        .collect();
    let page_room = TOP - BOTTOM - grid.header_height;
    let chunk = |n: usize| n as f32 * CELL.leading + 2.0 * PAD_Y;
    let mut start = 0;
    let mut fresh = false;
    while start < total_lines {
        let need = chunk(total_lines - start);
        if need > layout.room() && !fresh && (need <= page_room || layout.room() < chunk(1)) {
            layout.new_page()?;
            draw_header(layout, grid, None);
            fresh = true;
            continue;
        }
        let fits = ((layout.room() - 2.0 * PAD_Y) / CELL.leading)
            .floor()
            .max(1.0) as usize;
        let count = fits.min(total_lines - start);
        let top = layout.y;
        let h = chunk(count);
        let width: f32 = grid.widths.iter().sum();
        if striped {
            layout.begin_artifact(ArtifactType::Layout);
            layout.fill_rect(LEFT, top - h, width, h, STRIPE_FILL);
            layout.end();
        }
        let mut x = LEFT;
        for (c, cell) in lines.iter().enumerate() {
            let w = grid.widths.get(c).copied().unwrap_or(0.0);
            let part: Vec<String> = cell.iter().skip(start).take(count).cloned().collect();
            if let (Some(&td), false) = (tds.get(c), part.is_empty()) {
                layout.begin(td);
                let right = grid.right.get(c).copied().unwrap_or(false);
                cell_text(layout, &part, x, w, top, right, CELL);
                layout.end();
            }
            x += w;
        }
        layout.y = top - h;
        start += count;
        fresh = false;
        if start < total_lines {
            layout.new_page()?;
            draw_header(layout, grid, None);
            fresh = true;
        }
    }
    Ok(())
}

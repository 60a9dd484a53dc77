//! Vertical grouped bar charts in the report's PDF, drawn with vector
//! operators: one group per `Bar`, one colour per series, a withheld value
//! as a hatched stub marked with `WITHHELD`. The whole drawing is one
//! tagged Figure whose /Alt is the chart's `alt`; the same words are also
//! printed below it so they reach every reader and the text layer.
use pdf_writer::Str;
use pdf_writer::types::StructRole;

use super::layout::{
    BODY_WIDTH, Flow, Font, INK, LEFT, Layout, MUTED, RULE, Rgb, Style, WHITE, clean, encode,
    truncate, wrap,
};
use crate::report_document::{BarChart, WITHHELD};

const TITLE: Style = Style::new(Font::Bold, 10.0, 13.0, INK);
const TICK: Style = Style::new(Font::Regular, 7.5, 9.0, MUTED);
const LABEL: Style = Style::new(Font::Regular, 7.5, 9.0, INK);
const VALUE: Style = Style::new(Font::Regular, 6.5, 8.0, INK);
const MARK: Style = Style::new(Font::Bold, 9.0, 9.0, INK);
const LEGEND: Style = Style::new(Font::Regular, 8.0, 13.0, INK);
const ALT: Style = Style::new(Font::Regular, 8.0, 10.5, MUTED);
const GRID: Rgb = [0.85, 0.86, 0.88];
const UNIT_HEIGHT: f32 = 18.0;
const PLOT_HEIGHT: f32 = 180.0;
const EMPTY_HEIGHT: f32 = 48.0;
const MAX_LABEL_LINES: usize = 3;
const ROTATED_LABEL: f32 = 110.0;
const SWATCH: f32 = 9.0;
/// Okabe-Ito hues, darkened where needed so every bar has at least 3:1
/// contrast with the white page (WCAG's bar for graphics).
const PALETTE: [Rgb; 6] = [
    [0.0, 0.447, 0.698],
    [0.835, 0.369, 0.0],
    [0.0, 0.49, 0.353],
    [0.72, 0.34, 0.56],
    [0.35, 0.35, 0.35],
    [0.6, 0.43, 0.0],
];
const COS45: f32 = std::f32::consts::FRAC_1_SQRT_2;

#[derive(Clone, Copy, PartialEq)]
enum Value {
    Number(f64),
    Withheld,
    /// No value given, or one that is not a number: nothing to draw.
    Missing,
}

struct Scale {
    lo: f64,
    hi: f64,
    step: f64,
}

enum Labels {
    Wrapped(Vec<Vec<String>>),
    /// Every `every`-th label, turned 45 degrees because the groups are too
    /// narrow for the words.
    Rotated {
        labels: Vec<String>,
        every: usize,
    },
}

struct Plan {
    values: Vec<Vec<Value>>,
    scale: Scale,
    ticks: Vec<(f64, String)>,
    plot_x: f32,
    plot_w: f32,
    group_w: f32,
    bar_w: f32,
    /// Whether values are printed on the bars, and with a dollar sign.
    value_labels: Option<bool>,
    labels: Labels,
    label_h: f32,
    legend: Vec<LegendRow>,
    height: f32,
}

pub(crate) fn chart(layout: &mut Layout, parent: usize, chart: &BarChart) -> Flow {
    let title = wrap(&clean(&chart.title), TITLE, BODY_WIDTH);
    let plan = plan(chart);
    let body = plan.as_ref().map_or(EMPTY_HEIGHT, |p| p.height);
    let title_h = title.len() as f32 * TITLE.leading;
    layout.ensure(title_h + 6.0 + body)?;
    if !title.is_empty() {
        let node = layout.node(StructRole::P, parent);
        layout.flow(node, &title, LEFT, TITLE)?;
        layout.y -= 6.0;
    }
    let figure = layout.node(StructRole::Figure, parent);
    let alt = [&chart.alt, &chart.title]
        .into_iter()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
        .unwrap_or("Bar chart");
    layout.set_alt(figure, alt.to_string());
    layout.begin(figure);
    let top = layout.y;
    match &plan {
        Some(plan) => draw(layout, chart, plan, top),
        None => draw_empty(layout, top),
    }
    layout.end();
    layout.y = top - body - 6.0;
    layout.paragraph(parent, StructRole::P, &chart.alt, LEFT, BODY_WIDTH, ALT)?;
    Ok(())
}

fn plan(chart: &BarChart) -> Option<Plan> {
    let series = chart
        .bars
        .iter()
        .map(|b| b.values.len())
        .chain([chart.series.len()])
        .max()
        .unwrap_or(0);
    if chart.bars.is_empty() || series == 0 {
        return None;
    }
    let names: Vec<String> = (0..series)
        .map(|s| {
            chart
                .series
                .get(s)
                .map(|n| clean(n).trim().to_string())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| format!("Series {}", s + 1))
        })
        .collect();
    let values: Vec<Vec<Value>> = chart
        .bars
        .iter()
        .map(|bar| {
            (0..series)
                .map(|s| match bar.values.get(s) {
                    Some(Some(v)) if v.is_finite() => Value::Number(*v),
                    Some(None) => Value::Withheld,
                    _ => Value::Missing,
                })
                .collect()
        })
        .collect();
    let numbers = || {
        values.iter().flatten().filter_map(|v| match v {
            Value::Number(n) => Some(*n),
            _ => None,
        })
    };
    let scale = scale(numbers());
    let dollars = chart.unit.to_lowercase().contains("dollar");
    let ticks = ticks(&scale, dollars);
    let tick_w = ticks.iter().map(|(_, l)| TICK.width(l)).fold(0.0, f32::max);
    let axis_w = (tick_w + 8.0).min(BODY_WIDTH / 3.0);
    let plot_x = LEFT + axis_w;
    let plot_w = BODY_WIDTH - axis_w;
    let group_w = plot_w / chart.bars.len() as f32;
    let cluster = (group_w * 0.78).min(series as f32 * 26.0);
    let bar_w = cluster / series as f32;
    // Values go on the bars only if every one fits its bar, with "$" if
    // that fits too.
    let fit = |dollars: bool| numbers().all(|n| VALUE.width(&compact(n, dollars)) <= bar_w);
    let value_labels = if dollars && fit(true) {
        Some(true)
    } else if fit(false) {
        Some(false)
    } else {
        None
    };
    let (labels, label_h) = labels(chart, plot_x, group_w);
    let withheld = values.iter().flatten().any(|v| *v == Value::Withheld);
    let legend = legend(&names, withheld, plot_x);
    let height =
        UNIT_HEIGHT + PLOT_HEIGHT + 6.0 + label_h + 8.0 + legend.len() as f32 * LEGEND.leading;
    Some(Plan {
        values,
        scale,
        ticks,
        plot_x,
        plot_w,
        group_w,
        bar_w,
        value_labels,
        labels,
        label_h,
        legend,
        height,
    })
}

/// An axis from zero (or below, for negative values) to a round number past
/// the largest value, in four or five round steps.
fn scale(numbers: impl Iterator<Item = f64>) -> Scale {
    let (mut lo, mut hi, mut integral) = (0.0f64, 0.0f64, true);
    for n in numbers {
        lo = lo.min(n);
        hi = hi.max(n);
        integral &= n.fract() == 0.0;
    }
    let fallback = Scale {
        lo: 0.0,
        hi: 4.0,
        step: 1.0,
    };
    let range = hi - lo;
    if !range.is_finite() || range <= 0.0 {
        return fallback;
    }
    // Headroom for the value printed above the tallest bar.
    let (lo, hi) = (
        lo - range * 0.06 * f64::from(lo < 0.0),
        hi + range * 0.06 * f64::from(hi > 0.0),
    );
    // The smallest round step that spans the values in at most five steps.
    let magnitude = 10f64.powf(((hi - lo) / 5.0).log10().floor());
    let fits = |step: f64| ((hi / step).ceil() - (lo / step).floor()) <= 5.0;
    let mut step = [1.0, 2.0, 2.5, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| fits(*s))
        .unwrap_or(100.0 * magnitude);
    if integral && step < 1.0 {
        step = 1.0;
    }
    let scale = Scale {
        lo: (lo / step).floor() * step,
        hi: (hi / step).ceil() * step,
        step,
    };
    if scale.step > 0.0 && scale.lo.is_finite() && scale.hi.is_finite() && scale.hi > scale.lo {
        scale
    } else {
        fallback
    }
}

fn ticks(scale: &Scale, dollars: bool) -> Vec<(f64, String)> {
    let count = ((scale.hi - scale.lo) / scale.step)
        .round()
        .clamp(1.0, 10.0) as usize;
    let largest = scale.lo.abs().max(scale.hi.abs());
    let (divisor, suffix) = unit_of(largest);
    let decimals = decimals(scale.step / divisor);
    (0..=count)
        .map(|i| {
            let v = scale.lo + scale.step * i as f64;
            let label = if v == 0.0 {
                "0".to_string()
            } else if largest >= 1e15 {
                format!("{v:.1e}")
            } else {
                let sign = if v < 0.0 { "-" } else { "" };
                let dollar = if dollars { "$" } else { "" };
                format!("{sign}{dollar}{:.*}{suffix}", decimals, v.abs() / divisor)
            };
            (v, label)
        })
        .collect()
}

fn unit_of(magnitude: f64) -> (f64, &'static str) {
    [(1e9, "B"), (1e6, "M"), (1e3, "K")]
        .into_iter()
        .find(|(d, _)| magnitude >= d * 0.9995)
        .unwrap_or((1.0, ""))
}

/// The fewest decimals (up to two) that show `x` exactly.
fn decimals(x: f64) -> usize {
    (0..2)
        .find(|d| {
            let m = 10f64.powi(*d as i32) * x;
            (m.round() - m).abs() < 1e-6 * m.abs().max(1.0)
        })
        .unwrap_or(2)
}

/// A value short enough to print on a bar: 1.2M, 350K, 12.5, 7.
fn compact(v: f64, dollars: bool) -> String {
    if v.abs() >= 1e15 {
        return format!("{v:.1e}");
    }
    let (divisor, suffix) = unit_of(v.abs());
    let scaled = v.abs() / divisor;
    let mut number = if suffix.is_empty() && scaled.fract() == 0.0 {
        format!("{scaled:.0}")
    } else {
        format!("{scaled:.1}")
    };
    if number.ends_with(".0") {
        number.truncate(number.len() - 2);
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let dollar = if dollars { "$" } else { "" };
    format!("{sign}{dollar}{number}{suffix}")
}

fn labels(chart: &BarChart, plot_x: f32, group_w: f32) -> (Labels, f32) {
    let room = group_w - 4.0;
    let texts: Vec<String> = chart.bars.iter().map(|b| clean(&b.label)).collect();
    let fits = texts.iter().all(|t| {
        t.split([' ', '\n']).all(|w| LABEL.width(w) <= room)
            && wrap(t, LABEL, room).len() <= MAX_LABEL_LINES
    });
    if fits {
        let wrapped: Vec<Vec<String>> = texts.iter().map(|t| wrap(t, LABEL, room)).collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(0);
        return (Labels::Wrapped(wrapped), lines as f32 * LABEL.leading);
    }
    let every = ((LABEL.size + 2.0) / (group_w * COS45)).ceil().max(1.0) as usize;
    let labels: Vec<String> = texts
        .iter()
        .enumerate()
        .map(|(g, t)| {
            // Keep the label's far end on the page, left of the group.
            let centre = plot_x + group_w * (g as f32 + 0.5);
            let limit = ROTATED_LABEL.min((centre - 24.0) / COS45);
            truncate(&t.replace('\n', " "), LABEL, limit)
        })
        .collect();
    let longest = labels
        .iter()
        .step_by(every)
        .map(|l| LABEL.width(l))
        .fold(0.0, f32::max);
    let height = (longest + LABEL.size) * COS45 + 4.0;
    (Labels::Rotated { labels, every }, height)
}

#[derive(Clone, Copy)]
enum Key {
    Series(usize),
    Withheld,
    /// Words only: the count of series the legend had no room for.
    More,
}

type LegendRow = Vec<(f32, Key, String)>;

/// Legend items in rows of at most the body's width. Past a few rows the
/// chart would no longer fit on a page, so the rest are only counted.
fn legend(names: &[String], withheld: bool, start: f32) -> Vec<LegendRow> {
    const MAX_ROWS: usize = 6;
    let mut items: Vec<(Key, String)> = names
        .iter()
        .enumerate()
        .map(|(s, n)| (Key::Series(s), n.clone()))
        .collect();
    if withheld {
        items.push((Key::Withheld, format!("Withheld ({WITHHELD})")));
    }
    let right = LEFT + BODY_WIDTH;
    let mut rows: Vec<LegendRow> = Vec::new();
    let mut row = Vec::new();
    let mut x = start;
    let total = items.len();
    for (shown, (key, name)) in items.into_iter().enumerate() {
        let name = truncate(&name, LEGEND, right - start - SWATCH - 4.0);
        let w = SWATCH + 4.0 + LEGEND.width(&name);
        if !row.is_empty() && x + w > right {
            rows.push(std::mem::take(&mut row));
            x = start;
            if rows.len() == MAX_ROWS - 1 {
                let more = format!("and {} more", total - shown);
                rows.push(vec![(start - SWATCH - 4.0, Key::More, more)]);
                return rows;
            }
        }
        row.push((x, key, name));
        x += w + 14.0;
    }
    if !row.is_empty() {
        rows.push(row);
    }
    rows
}

fn colour(series: usize) -> Rgb {
    PALETTE.get(series % PALETTE.len()).copied().unwrap_or(INK)
}

fn draw(layout: &mut Layout, chart: &BarChart, plan: &Plan, top: f32) {
    let unit = clean(chart.unit.trim());
    layout.text(LEFT, top - 8.0, TICK, &unit);
    let plot_top = top - UNIT_HEIGHT;
    let plot_bottom = plot_top - PLOT_HEIGHT;
    let span = plan.scale.hi - plan.scale.lo;
    let y_of = |v: f64| {
        let t = ((v - plan.scale.lo) / span).clamp(0.0, 1.0) as f32;
        plot_bottom + t * PLOT_HEIGHT
    };
    let right = plan.plot_x + plan.plot_w;
    for (v, label) in &plan.ticks {
        let y = y_of(*v);
        layout.line((plan.plot_x, y), (right, y), 0.4, GRID);
        let x = plan.plot_x - 5.0 - TICK.width(label);
        layout.text(x, y - 2.6, TICK, label);
    }
    let zero = y_of(0.0);
    for (g, group) in plan.values.iter().enumerate() {
        let cluster = plan.bar_w * group.len() as f32;
        let left = plan.plot_x + plan.group_w * g as f32 + (plan.group_w - cluster) / 2.0;
        for (s, value) in group.iter().enumerate() {
            let x = left + plan.bar_w * s as f32;
            // A hairline of white between neighbours keeps bars apart.
            let inset = if plan.bar_w > 4.0 { 0.5 } else { 0.0 };
            let (x, w) = (x + inset, plan.bar_w - 2.0 * inset);
            let color = colour(s);
            match value {
                Value::Number(n) => {
                    let y = y_of(*n);
                    layout.fill_rect(x, zero.min(y), w, (y - zero).abs(), color);
                    if let Some(dollars) = plan.value_labels {
                        let label = compact(*n, dollars);
                        let lx = x + (w - VALUE.width(&label)) / 2.0;
                        let ly = if *n < 0.0 { y - 7.0 } else { y + 2.0 };
                        layout.text(lx, ly, VALUE, &label);
                    }
                }
                Value::Withheld => {
                    let h = 8.0;
                    hatched(layout, x, zero, w, h, color);
                    let lx = x + (w - MARK.width(WITHHELD)) / 2.0;
                    layout.text(lx, zero + h + 2.0, MARK, WITHHELD);
                }
                Value::Missing => {}
            }
        }
    }
    layout.line((plan.plot_x, zero), (right, zero), 0.8, MUTED);
    layout.line(
        (plan.plot_x, plot_bottom),
        (plan.plot_x, plot_top),
        0.8,
        MUTED,
    );
    draw_labels(layout, plan, plot_bottom - 6.0);
    let mut y = plot_bottom - 6.0 - plan.label_h - 8.0;
    for row in &plan.legend {
        for (x, key, name) in row {
            let swatch_y = y - LEGEND.leading / 2.0 - SWATCH / 2.0;
            match key {
                Key::Series(s) => layout.fill_rect(*x, swatch_y, SWATCH, SWATCH, colour(*s)),
                Key::Withheld => hatched(layout, *x, swatch_y, SWATCH, SWATCH, INK),
                Key::More => {}
            }
            layout.text(x + SWATCH + 4.0, y - LEGEND.baseline(), LEGEND, name);
        }
        y -= LEGEND.leading;
    }
}

fn draw_labels(layout: &mut Layout, plan: &Plan, top: f32) {
    match &plan.labels {
        Labels::Wrapped(labels) => {
            for (g, lines) in labels.iter().enumerate() {
                let centre = plan.plot_x + plan.group_w * (g as f32 + 0.5);
                for (i, line) in lines.iter().enumerate() {
                    let x = centre - LABEL.width(line.trim_end()) / 2.0;
                    let y = top - LABEL.baseline() - LABEL.leading * i as f32;
                    layout.text(x, y, LABEL, line);
                }
            }
        }
        Labels::Rotated { labels, every } => {
            for (g, label) in labels.iter().enumerate().step_by((*every).max(1)) {
                let centre = plan.plot_x + plan.group_w * (g as f32 + 0.5);
                let w = LABEL.width(label);
                let end = (centre + LABEL.size * 0.35, top - LABEL.size * 0.5);
                let start = (end.0 - w * COS45, end.1 - w * COS45);
                let [r, g, b] = LABEL.color;
                layout
                    .content()
                    .set_fill_rgb(r, g, b)
                    .begin_text()
                    .set_font(LABEL.font.resource(), LABEL.size)
                    .set_text_matrix([COS45, COS45, -COS45, COS45, start.0, start.1])
                    .show(Str(&encode(label)))
                    .end_text();
            }
        }
    }
}

/// An outlined box filled with diagonal lines: a withheld value, which must
/// not read as zero.
fn hatched(layout: &mut Layout, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
    let [r, g, b] = color;
    let content = layout.content();
    content.save_state();
    content.rect(x, y, w, h).clip_nonzero().end_path();
    content.set_stroke_rgb(r, g, b).set_line_width(0.6);
    let mut offset = -h;
    while offset < w {
        content
            .move_to(x + offset, y)
            .line_to(x + offset + h, y + h);
        offset += 2.5;
    }
    content.stroke();
    content.restore_state();
    content
        .set_stroke_rgb(r, g, b)
        .set_line_width(0.8)
        .rect(x, y, w, h)
        .stroke();
}

fn draw_empty(layout: &mut Layout, top: f32) {
    let bottom = top - EMPTY_HEIGHT;
    layout.fill_rect(LEFT, bottom, BODY_WIDTH, EMPTY_HEIGHT, WHITE);
    layout.line((LEFT, bottom), (LEFT + BODY_WIDTH, bottom), 0.6, RULE);
    layout.line((LEFT, top), (LEFT + BODY_WIDTH, top), 0.6, RULE);
    let text = "No values to chart.";
    let x = LEFT + (BODY_WIDTH - LABEL.width(text)) / 2.0;
    layout.text(x, bottom + EMPTY_HEIGHT / 2.0 - 3.0, LABEL, text);
}

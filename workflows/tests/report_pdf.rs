//! The annual report's PDF, read back with poppler (pdfinfo, pdftotext,
//! pdftoppm) as a legislator's viewer would: every page renders, and every
//! heading, figure, withheld mark, alt text and anchor is in the text.
//! Needs poppler-utils; without it these tests fail rather than skip.
#![allow(clippy::unwrap_used)]
use std::path::{Path, PathBuf};
use std::process::Command;

use leeway_workflows::report_document::{
    Anchor, Bar, BarChart, ReportDocument, Section, Table, WITHHELD,
};
use leeway_workflows::report_pdf::render;

fn s(text: &str) -> String {
    text.to_string()
}

fn bar(label: &str, values: &[Option<f64>]) -> Bar {
    Bar {
        label: s(label),
        values: values.to_vec(),
    }
}

fn sample() -> ReportDocument {
    let provisions = [
        ("Teacher licensure (22-63-201)", 41, 38, 36),
        (
            "Length of school day and year (22-32-109(1)(n))",
            35,
            33,
            30,
        ),
        ("Principal employment (22-32-126)", 28, 25, 25),
        ("Teacher employment and dismissal (22-63-202)", 22, 19, 17),
        ("Local board policies on calendar", 12, 12, 11),
        ("Graduation requirements", 9, 7, 6),
    ];
    let mut waiver_rows: Vec<Vec<String>> = provisions
        .iter()
        .map(|(p, r, a, act)| vec![s(p), r.to_string(), a.to_string(), act.to_string()])
        .collect();
    waiver_rows.push(vec![
        s("Assessment schedule"),
        s("3"),
        s(WITHHELD),
        s(WITHHELD),
    ]);
    let mut waiver_bars: Vec<Bar> = provisions
        .iter()
        .map(|(p, r, a, act)| {
            bar(
                p.split(" (").next().unwrap(),
                &[Some(*r as f64), Some(*a as f64), Some(*act as f64)],
            )
        })
        .collect();
    waiver_bars.push(bar("Assessment schedule", &[Some(3.0), None, Some(2.0)]));

    let districts: Vec<Vec<String>> = (1..=70)
        .map(|i| {
            vec![
                format!("District {i:02} RE-{}", i % 9 + 1),
                (i * 7 % 23 + 1).to_string(),
                (i * 5 % 17).to_string(),
                if i % 11 == 0 {
                    s(WITHHELD)
                } else {
                    (i * 3 % 13).to_string()
                },
            ]
        })
        .collect();

    ReportDocument {
        title: s("Annual report on innovation schools and zones"),
        agency: s("Colorado Department of Education"),
        year_label: s("2025-26"),
        statute: s("Innovation Schools Act of 2008, section 22-32.5-110, C.R.S."),
        due_line: s("Due 1 March 2027 to the governor and the education committees"),
        version_line: s("Version 3, compiled 1 February 2027 at 14:03 UTC"),
        summary: vec![
            s(
                "In 2025\u{2013}26, 112 schools in 38 districts held innovation status, \
               and 14 innovation zones grouped 51 of them. Together they waived 147 \
               provisions of statute and rule.",
            ),
            s(
                "Most waivers concern who may teach and how long the school day and year \
               last. The district\u{2019}s board approved 92% of requests; the state \
               board approved all that reached it.",
            ),
            s(
                "Counts of fewer than 16 students are withheld \u{2265} privacy rules and \
               printed as an asterisk.",
            ),
        ],
        sections: vec![
            Section {
                heading: s("Waivers of statute and rule"),
                paragraphs: vec![s(
                    "Schools ask for waivers in their innovation plans. A waiver is active \
                     while the plan that requested it is in force.",
                )],
                bullets: vec![],
                tables: vec![Table {
                    caption: s("Table 1. Waivers by provision"),
                    columns: vec![s("Provision"), s("Requested"), s("Approved"), s("Active")],
                    rows: waiver_rows,
                    note: Some(s("Counts are line items in approved innovation plans.")),
                }],
                charts: vec![BarChart {
                    title: s("Figure 1. Waivers requested, approved and active, by provision"),
                    alt: s(
                        "Teacher licensure is the most waived provision: 41 requested, \
                            38 approved, 36 active. The approved count for assessment \
                            schedule is withheld.",
                    ),
                    unit: s("line items"),
                    series: vec![s("Requested"), s("Approved"), s("Active")],
                    bars: waiver_bars,
                }],
            },
            Section {
                heading: s("Students served"),
                paragraphs: vec![s(
                    "Innovation schools enrolled 61,840 students on the October count day.",
                )],
                bullets: vec![],
                tables: vec![Table {
                    caption: s("Table 2. Students by subgroup"),
                    columns: vec![s("Subgroup"), s("Innovation schools"), s("Statewide share")],
                    rows: vec![
                        vec![s("English learners"), s("11,204"), s("13.1%")],
                        vec![s("Students with disabilities"), s("7,930"), s("12.4%")],
                        vec![
                            s("Eligible for free or reduced-price lunch"),
                            s("33,015"),
                            s("45.0%"),
                        ],
                        vec![s("Experiencing homelessness"), s(WITHHELD), s("1.9%")],
                    ],
                    note: None,
                }],
                charts: vec![BarChart {
                    title: s("Figure 2. Students by subgroup"),
                    alt: s(
                        "More than half of the students in innovation schools are eligible \
                            for free or reduced-price lunch; the count of students experiencing \
                            homelessness is withheld.",
                    ),
                    unit: s("students"),
                    series: vec![s("2024-25"), s("2025-26")],
                    bars: vec![
                        bar("English learners", &[Some(10_512.0), Some(11_204.0)]),
                        bar(
                            "Students with disabilities",
                            &[Some(7_611.0), Some(7_930.0)],
                        ),
                        bar(
                            "Free or reduced-price lunch",
                            &[Some(31_870.0), Some(33_015.0)],
                        ),
                        bar("Experiencing homelessness", &[Some(1_020.0), None]),
                    ],
                }],
            },
            Section {
                heading: s("Grant money"),
                paragraphs: vec![s(
                    "The innovation grant program is funded by annual appropriation.",
                )],
                bullets: vec![],
                tables: vec![],
                charts: vec![BarChart {
                    title: s("Figure 3. Innovation grants, appropriated to lapsed"),
                    alt: s(
                        "Of $12.5 million appropriated in 2025-26, $11.8 million was awarded, \
                            $9.2 million disbursed and $0.7 million lapsed.",
                    ),
                    unit: s("dollars"),
                    series: vec![s("Appropriated"), s("Awarded"), s("Disbursed"), s("Lapsed")],
                    bars: vec![
                        bar(
                            "2023-24",
                            &[
                                Some(10_000_000.0),
                                Some(9_600_000.0),
                                Some(8_100_000.0),
                                Some(400_000.0),
                            ],
                        ),
                        bar(
                            "2024-25",
                            &[
                                Some(11_000_000.0),
                                Some(10_750_000.0),
                                Some(9_900_000.0),
                                Some(250_000.0),
                            ],
                        ),
                        bar(
                            "2025-26",
                            &[
                                Some(12_500_000.0),
                                Some(11_800_000.0),
                                Some(9_200_000.0),
                                Some(700_000.0),
                            ],
                        ),
                    ],
                }],
            },
            Section {
                heading: s("Waivers by district"),
                paragraphs: vec![s(
                    "Every district with an innovation school, with its waivers.",
                )],
                bullets: vec![],
                tables: vec![Table {
                    caption: s("Table 3. Waivers by district"),
                    columns: vec![s("District"), s("Requested"), s("Approved"), s("Revoked")],
                    rows: districts,
                    note: Some(s("Revoked waivers include those ended by plan renewal.")),
                }],
                charts: vec![],
            },
            Section {
                heading: s("Recommendations"),
                paragraphs: vec![],
                bullets: vec![
                    s(
                        "Extend the reporting deadline for zones to 1 April so that audited \
                       enrollment counts can be used.",
                    ),
                    s("Publish waiver lists in a machine-readable form."),
                ],
                tables: vec![],
                charts: vec![],
            },
        ],
        anchors: vec![
            Anchor {
                label: s("Audit log head"),
                value: s("9f2c1e7a5b3d4c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcde"),
            },
            Anchor {
                label: s("Figures digest (SHA-512)"),
                value: s(
                    "c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbcc",
                ),
            },
        ],
        suppression_note: s(
            "An asterisk (*) marks a count withheld because it describes \
                             fewer than 16 students, or could be used to work one out.",
        ),
    }
}

/// Runs a poppler tool; its absence fails the test with the fix.
fn poppler(tool: &str, args: &[&str]) -> String {
    let out = match Command::new(tool).args(args).output() {
        Ok(out) => out,
        Err(e) => panic!(
            "cannot run `{tool}` ({e}): install poppler-utils \
             (apt-get install -y poppler-utils); this test does not skip without it"
        ),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{tool} {args:?} failed: {stderr}");
    assert!(!stderr.contains("Error"), "{tool} complained: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

struct ReadBack {
    pages: usize,
    info: String,
    /// The layout text with every run of whitespace made one space.
    text: String,
    raw: String,
}

/// `keep` names an environment variable: where to save a copy to look at.
fn read_back(doc: &ReportDocument, dir: &Path, keep: &str) -> ReadBack {
    let bytes = render(doc).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let pdf: PathBuf = dir.join("report.pdf");
    std::fs::write(&pdf, &bytes).unwrap();
    let pdf_arg = pdf.to_str().unwrap();
    if let Ok(keep) = std::env::var(keep) {
        std::fs::write(keep, &bytes).unwrap();
    }

    let info = poppler("pdfinfo", &[pdf_arg]);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|n| n.trim().parse().unwrap())
        .expect("pdfinfo prints the page count");

    let prefix = dir.join("page");
    poppler(
        "pdftoppm",
        &["-png", "-r", "50", pdf_arg, prefix.to_str().unwrap()],
    );
    let images: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    assert_eq!(images.len(), pages, "one PNG per page");
    for image in &images {
        assert!(
            std::fs::metadata(image).unwrap().len() > 100,
            "{image:?} is empty"
        );
    }

    let raw = poppler("pdftotext", &["-layout", pdf_arg, "-"]);
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    ReadBack {
        pages,
        info,
        text,
        raw,
    }
}

fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_annual_report_reads_back_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let doc = sample();
    let back = read_back(&doc, dir.path(), "LEEWAY_REPORT_PDF_SAMPLE");
    let has = |needle: &str| {
        assert!(
            back.text.contains(&flat(needle)),
            "the PDF text lacks {needle:?}:\n{}",
            back.raw
        )
    };

    assert!(back.pages >= 5, "only {} pages", back.pages);
    assert!(
        back.info.contains("Tagged:") && back.info.contains("yes"),
        "{}",
        back.info
    );
    assert!(
        back.info.contains(&doc.title),
        "info has the title: {}",
        back.info
    );
    has(&doc.title);
    has(&doc.agency);
    has(&doc.year_label);
    has(&doc.statute);
    has(&doc.due_line);
    has(&doc.version_line);
    has("Summary");
    // WinAnsi has the en dash and curly apostrophe; "≥" is spelled out.
    has("In 2025\u{2013}26, 112 schools");
    has("district\u{2019}s board");
    has("withheld >= privacy rules");
    for section in &doc.sections {
        has(&section.heading);
        for p in &section.paragraphs {
            has(p);
        }
        for b in &section.bullets {
            has(b);
        }
        for table in &section.tables {
            has(&table.caption);
            for c in &table.columns {
                has(c);
            }
            for row in &table.rows {
                // A row reads across: its cells in order on one line.
                has(&row.join(" "));
            }
            if let Some(note) = &table.note {
                has(note);
            }
        }
        for chart in &section.charts {
            has(&chart.title);
            has(&chart.alt);
            for series in &chart.series {
                has(series);
            }
        }
    }
    has("Assessment schedule 3 * *");
    has("Experiencing homelessness * 1.9%");
    has("Withheld (*)");
    has("$10M");
    has("$12.5M");
    has("Audit anchors");
    for anchor in &doc.anchors {
        has(&anchor.label);
        // Long values wrap; their pieces still come in order.
        let pieces: String = back
            .raw
            .split_whitespace()
            .filter(|w| w.chars().all(|c| c.is_ascii_hexdigit()) && w.len() > 8)
            .collect();
        assert!(pieces.contains(&anchor.value), "anchor {}", anchor.label);
    }
    has(&doc.suppression_note);
    has(&format!("Page 1 of {}", back.pages));
    has(&format!("Page {0} of {0}", back.pages));

    // The long table continues across a page with its header repeated.
    let pages: Vec<&str> = back.raw.split('\u{c}').collect();
    let continued = pages
        .iter()
        .filter(|p| p.contains("District 0") || p.contains("District 6"))
        .count();
    assert!(continued >= 2, "table 3 should span pages");
    for page in pages.iter().filter(|p| p.contains("District 70")) {
        assert!(flat(page).contains("District Requested Approved Revoked"));
    }

    let raw = String::from_utf8_lossy(&render(&doc).unwrap()).into_owned();
    for key in [
        "/Lang (en-US)",
        "/StructTreeRoot",
        "/Marked true",
        "/S /Figure",
        "/S /Table",
        "/S /TH",
        "/S /H1",
        "/S /H2",
        "/Alt",
        "/WinAnsiEncoding",
    ] {
        assert!(raw.contains(key), "the PDF has no {key}");
    }
    assert_eq!(
        render(&doc).unwrap(),
        render(&doc).unwrap(),
        "output is deterministic"
    );
}

#[test]
fn edge_cases_render_without_panicking() {
    let long_word = "x".repeat(300);
    let empty = ReportDocument {
        title: String::new(),
        agency: String::new(),
        year_label: String::new(),
        statute: String::new(),
        due_line: String::new(),
        version_line: String::new(),
        summary: vec![],
        sections: vec![],
        anchors: vec![],
        suppression_note: String::new(),
    };
    let dir = tempfile::tempdir().unwrap();
    let back = read_back(&empty, dir.path(), "LEEWAY_REPORT_PDF_EMPTY");
    assert!(back.text.contains(&format!("Page 1 of {}", back.pages)));

    let many: Vec<Bar> = (0..40)
        .map(|i| {
            bar(
                &format!("A rather long group label number {i}"),
                &[Some(i as f64 * 1e9), Some(-3.5)],
            )
        })
        .collect();
    let odd = ReportDocument {
        title: long_word.clone(),
        agency: s("Agency \u{4e2d}\u{6587} \u{1f600} tab\there\u{7}"),
        year_label: s(" "),
        statute: String::new(),
        due_line: s("\n\n"),
        version_line: s("\u{200b}"),
        summary: vec![String::new(), long_word.clone(), s("a\nb\r\nc")],
        sections: vec![
            Section {
                heading: String::new(),
                paragraphs: vec![String::new(), format!("Before {long_word} after")],
                bullets: vec![String::new(), long_word.clone()],
                tables: vec![
                    Table {
                        caption: String::new(),
                        columns: vec![],
                        rows: vec![],
                        note: None,
                    },
                    Table {
                        caption: s("Header only"),
                        columns: vec![s("A"), s("B")],
                        rows: vec![],
                        note: Some(String::new()),
                    },
                    Table {
                        caption: long_word.clone(),
                        columns: vec![s("One")],
                        rows: vec![
                            vec![],
                            vec![s("1"), s("2"), s("3"), long_word.clone()],
                            vec![format!(
                                "{long_word} {long_word} {long_word} {long_word} {long_word} {long_word}"
                            )],
                        ],
                        note: Some(long_word.clone()),
                    },
                    Table {
                        caption: s("Tall cell"),
                        columns: vec![s("Label"), s("Value")],
                        rows: vec![vec![s("tall"), "word ".repeat(3000)]],
                        note: None,
                    },
                ],
                charts: vec![
                    BarChart {
                        title: String::new(),
                        alt: String::new(),
                        unit: String::new(),
                        series: vec![],
                        bars: vec![],
                    },
                    BarChart {
                        title: s("Zeros"),
                        alt: s("All zero."),
                        unit: s("students"),
                        series: vec![s("A")],
                        bars: vec![bar("x", &[Some(0.0)]), bar("", &[Some(0.0)])],
                    },
                    BarChart {
                        title: s("All withheld"),
                        alt: s("Nothing shown."),
                        unit: s("students"),
                        series: vec![s("A"), s("B")],
                        bars: vec![bar("x", &[None, None])],
                    },
                    BarChart {
                        title: s("Ragged"),
                        alt: long_word.clone(),
                        unit: s("dollars"),
                        series: vec![s("Only")],
                        bars: vec![
                            bar(
                                &long_word,
                                &[
                                    Some(f64::NAN),
                                    Some(f64::INFINITY),
                                    Some(1e300),
                                    Some(-1e300),
                                ],
                            ),
                            bar("empty", &[]),
                        ],
                    },
                    BarChart {
                        title: s("Many groups"),
                        alt: s("Forty groups."),
                        unit: s("dollars"),
                        series: vec![String::new()],
                        bars: many,
                    },
                    BarChart {
                        title: s("Sixty series"),
                        alt: s("Too many series for one legend."),
                        unit: s("students"),
                        series: (0..60).map(|i| format!("Series named {i}")).collect(),
                        bars: vec![bar("one", &[Some(1.0); 60]), bar("two", &[None; 60])],
                    },
                    BarChart {
                        title: s("Series but no values"),
                        alt: String::new(),
                        unit: String::new(),
                        series: vec![s("A")],
                        bars: vec![bar("a", &[])],
                    },
                ],
            },
            Section {
                heading: long_word.clone(),
                paragraphs: vec![],
                bullets: vec![],
                tables: vec![],
                charts: vec![],
            },
        ],
        anchors: vec![
            Anchor {
                label: String::new(),
                value: String::new(),
            },
            Anchor {
                label: long_word.clone(),
                value: long_word.clone(),
            },
        ],
        suppression_note: long_word.clone(),
    };
    let dir = tempfile::tempdir().unwrap();
    let back = read_back(&odd, dir.path(), "LEEWAY_REPORT_PDF_ODD");
    assert!(back.text.contains("Header only"));
    assert!(back.text.contains("All withheld"));
    assert!(back.text.contains("Agency ?? ? tab here"));
    assert!(back.text.contains(&format!("Page {0} of {0}", back.pages)));
}

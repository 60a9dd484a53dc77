//! The report's tables as one CSV file for spreadsheets: one line per
//! printed cell, `section,table,row,label,column,value` (`row` numbers the
//! table's rows from 1, `label` is the row's first cell), with the same
//! withheld symbol the PDF prints (RFC 4180 quoting).
use crate::report_document::ReportDocument;

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn render(doc: &ReportDocument) -> Vec<u8> {
    let mut out = String::from("section,table,row,label,column,value\r\n");
    for section in &doc.sections {
        for table in &section.tables {
            for (n, row) in table.rows.iter().enumerate() {
                let label = row.first().map(String::as_str).unwrap_or_default();
                let number = (n + 1).to_string();
                for (column, value) in table.columns.iter().zip(row).skip(1) {
                    let fields = [
                        section.heading.as_str(),
                        table.caption.as_str(),
                        number.as_str(),
                        label,
                        column.as_str(),
                        value.as_str(),
                    ];
                    for (i, f) in fields.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        out.push_str(&field(f));
                    }
                    out.push_str("\r\n");
                }
            }
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report_document::{Section, Table};

    #[test]
    fn every_cell_is_a_quoted_line() {
        let doc = ReportDocument {
            title: "T".into(),
            agency: "A".into(),
            year_label: "2026-27".into(),
            statute: "S".into(),
            due_line: String::new(),
            version_line: String::new(),
            summary: vec![],
            sections: vec![Section {
                heading: "Grants".into(),
                paragraphs: vec![],
                bullets: vec![],
                tables: vec![Table {
                    caption: "Money, \"by program\"".into(),
                    columns: vec!["Program".into(), "Awarded".into()],
                    rows: vec![vec!["Mastery, phase 1".into(), "$1,000".into()]],
                    note: None,
                }],
                charts: vec![],
            }],
            anchors: vec![],
            suppression_note: String::new(),
        };
        let text = String::from_utf8(render(&doc)).unwrap();
        assert_eq!(
            text,
            "section,table,row,label,column,value\r\nGrants,\"Money, \"\"by program\"\"\",1,\"Mastery, phase 1\",Awarded,\"$1,000\"\r\n"
        );
    }
}

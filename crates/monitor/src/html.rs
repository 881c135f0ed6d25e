//! `report.html`: one self-contained page in Dutch (plain language) for a policy
//! officer to open or print. Inline CSS and SVG only: no scripts, fonts, images or
//! links to anything outside the file. Accessible: `lang="nl"`, a heading structure,
//! every chart has a text alternative and the same figures in a table with a caption,
//! and colours with high contrast.

use std::fmt::Write as _;

use crate::report::{Published, Report};

/// Above this many neighbourhoods the chart shows only the largest.
const MAX_CHARTED_NEIGHBOURHOODS: usize = 30;

const BAR: &str = "#1d4f91"; // on white: contrast 8.6:1
const TEXT: &str = "#1a1a1a";
const MUTED: &str = "#4d4d4d"; // on white: contrast 8.4:1

pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// 41230 → "41.230", as Dutch readers expect.
pub(crate) fn number(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

fn shown(v: Published) -> String {
    v.map_or_else(|| "geheim".to_string(), number)
}

/// A generous estimate of the width in pixels of `text` at 14px in a sans-serif font
/// (upper case and digits are wider than the 8 px an average lower-case letter takes),
/// so that labels are never clipped at the chart's left edge.
fn text_width(text: &str) -> u32 {
    text.chars()
        .map(|c| match c {
            'M' | 'W' | 'm' | 'w' => 14,
            'i' | 'j' | 'l' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 5,
            'A'..='Z' | '0'..='9' => 10,
            ' ' | 'f' | 'r' | 't' | '-' | '(' | ')' => 6,
            _ if c.is_ascii() => 8,
            _ => 14,
        })
        .sum()
}

/// A horizontal bar chart with its text alternative.
fn bar_chart(id: &str, title: &str, rows: &[(String, Published)]) -> String {
    // The label column fits the longest label (right-aligned 8 px before the bars),
    // with 8 px to spare at the left edge.
    let label_width = rows
        .iter()
        .map(|(l, _)| text_width(l))
        .max()
        .unwrap_or(0)
        .max(32)
        + 16;
    let bar_width = 380u32;
    let row_height = 26u32;
    let width = label_width + bar_width + 90;
    let height = row_height * rows.len().max(1) as u32 + 8;
    let max = rows.iter().filter_map(|r| r.1).max().unwrap_or(0).max(1);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg role="img" aria-labelledby="{id}-t {id}-d" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="system-ui, sans-serif" font-size="14">"#
    );
    let _ = write!(
        svg,
        r#"<title id="{id}-t">{}</title><desc id="{id}-d">Staafdiagram. Dezelfde cijfers staan in de tabel onder de grafiek.</desc>"#,
        escape(title)
    );
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = 4 + i as u32 * row_height;
        let text_y = y + row_height / 2 + 5;
        let _ = write!(
            svg,
            r#"<text x="{}" y="{text_y}" text-anchor="end" fill="{TEXT}">{}</text>"#,
            label_width - 8,
            escape(label)
        );
        match value {
            Some(v) => {
                let w = ((*v as f64 / max as f64) * f64::from(bar_width)).round() as u32;
                let _ = write!(
                    svg,
                    r#"<rect x="{label_width}" y="{}" width="{}" height="{}" fill="{BAR}"/><text x="{}" y="{text_y}" fill="{TEXT}">{}</text>"#,
                    y + 3,
                    w.max(if *v > 0 { 1 } else { 0 }),
                    row_height - 6,
                    label_width + w + 6,
                    number(*v)
                );
            }
            None => {
                let _ = write!(
                    svg,
                    r#"<text x="{}" y="{text_y}" fill="{MUTED}" font-style="italic">geheim</text>"#,
                    label_width + 6
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

fn table(caption: &str, headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut t = String::new();
    let _ = write!(
        t,
        "<table><caption>{}</caption><thead><tr>",
        escape(caption)
    );
    for (i, h) in headers.iter().enumerate() {
        let class = if i == 0 { "" } else { r#" class="num""# };
        let _ = write!(t, r#"<th scope="col"{class}>{}</th>"#, escape(h));
    }
    t.push_str("</tr></thead><tbody>");
    for row in rows {
        t.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(t, r#"<th scope="row">{}</th>"#, escape(c));
            } else {
                let _ = write!(t, r#"<td class="num">{}</td>"#, escape(c));
            }
        }
        t.push_str("</tr>");
    }
    t.push_str("</tbody></table>");
    t
}

fn section(
    html: &mut String,
    level: u8,
    id: &str,
    heading: &str,
    intro: &str,
    label_header: &str,
    rows: &[(String, Published)],
) {
    let _ = write!(
        html,
        r#"<section aria-labelledby="{id}-h"><h{level} id="{id}-h">{}</h{level}><p>{}</p><figure>{}</figure>{}</section>"#,
        escape(heading),
        escape(intro),
        bar_chart(id, heading, rows),
        table(
            heading,
            &[label_header, "Huishoudens"],
            &rows
                .iter()
                .map(|(l, v)| vec![l.clone(), shown(*v)])
                .collect::<Vec<_>>()
        )
    );
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1a1a1a;background:#fff;line-height:1.5;margin:0}
main{max-width:60rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.8rem;margin:0 0 .5rem}
h2{font-size:1.35rem;margin:2rem 0 .5rem;border-bottom:2px solid #1d4f91;padding-bottom:.2rem}
dl.kern{display:flex;flex-wrap:wrap;gap:1rem 3rem;margin:1rem 0}
dl.kern div{min-width:12rem}
dl.kern dt{font-weight:600}
dl.kern dd{margin:0;font-size:1.6rem;font-weight:700;color:#1d4f91}
figure{margin:1rem 0;overflow-x:auto}
svg{max-width:100%;height:auto}
table{border-collapse:collapse;margin:.5rem 0 1rem;min-width:20rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid #8c8c8c;padding:.3rem .8rem .3rem 0;text-align:left;vertical-align:top}
thead th{border-bottom:2px solid #1a1a1a}
.num{text-align:right;font-variant-numeric:tabular-nums}
.uitleg{background:#f2f5fa;border-left:4px solid #1d4f91;padding:.6rem 1rem}
footer{margin-top:2rem;font-size:.9rem;color:#4d4d4d}
@media print{main{max-width:none;padding:0}section{break-inside:avoid}h2{break-after:avoid}.uitleg{background:none}}
";

/// Renders the report page.
pub(crate) fn render(report: &Report) -> String {
    let mut html = String::with_capacity(32 * 1024);
    html.push_str(r#"<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Stapelingsmonitor sociaal domein</title><style>"#);
    html.push_str(STYLE);
    html.push_str("</style></head><body><main>");
    html.push_str("<h1>Stapelingsmonitor sociaal domein</h1>");
    html.push_str("<p>Hoeveel huishoudens krijgen hulp uit meer dan één domein, zoals jeugdhulp, Wmo en werk en inkomen? En van hoeveel organisaties? Dat ziet u op deze pagina.</p>");
    html.push_str(&fragment(report, 2));
    html.push_str("<footer><p>Gemaakt met Baken, stapelingsmonitor. De cijfers staan ook in report.json en in de CSV-bestanden naast deze pagina.</p></footer>");
    html.push_str("</main></body></html>\n");
    html
}

/// The report's figures, explanation, charts and tables, for the page above or to be
/// embedded in another page: headings start at `level` (2 to 5), no style, no script.
pub(crate) fn fragment(report: &Report, level: u8) -> String {
    let level = level.clamp(2, 5);
    let t = &report.tables;
    let threshold = report.protection.suppress_below;
    let mut html = String::with_capacity(32 * 1024);
    let _ = write!(
        html,
        r#"<dl class="kern"><div><dt>Huishoudens</dt><dd>{}</dd></div><div><dt>Registraties</dt><dd>{}</dd></div></dl>"#,
        shown(report.totals.households),
        shown(report.totals.records)
    );
    html.push_str(r#"<p>Een registratie is één regel in het bestand van een organisatie: één voorziening voor één huishouden.</p>"#);

    let _ = write!(
        html,
        r#"<section aria-labelledby="uitleg-h" class="uitleg"><h{level} id="uitleg-h">Zo leest u deze cijfers</h{level}>"#
    );
    html.push_str("<p>Elke organisatie heeft de adressen zelf vervangen door een code. Met die code zijn de bestanden aan elkaar gekoppeld. Daarna is de code verwijderd. In dit rapport staan alleen aantallen, nooit personen of adressen. Een huishouden is een adres.</p>");
    match report.protection.round_to {
        Some(round_to) => {
            let _ = write!(
                html,
                "<p>Kleine aantallen kunnen iemand herkenbaar maken. Daarom tonen we aantallen van 1 tot en met {} niet: daar staat <em>geheim</em>. Alle andere aantallen zijn afgerond op een veelvoud van {round_to}, zoals het CBS dat doet. Door het afronden is de optelling van een tabel soms iets anders dan het totaal.</p>",
                threshold.saturating_sub(1)
            );
        }
        None => {
            let _ = write!(
                html,
                "<p>Kleine aantallen kunnen iemand herkenbaar maken. Daarom tonen we aantallen van 1 tot en met {} niet: daar staat <em>geheim</em>. Soms is ook een groter aantal geheim. Dat is nodig om te voorkomen dat u een geheim aantal kunt uitrekenen uit het totaal en de andere aantallen.</p>",
                threshold.saturating_sub(1)
            );
        }
    }
    html.push_str("</section>");

    section(
        &mut html,
        level,
        "domeinen",
        "Aantal domeinen per huishouden",
        "Uit hoeveel domeinen krijgt een huishouden hulp?",
        "Aantal domeinen",
        &t.by_domain_count
            .iter()
            .map(|r| (r.domains.label(), r.households))
            .collect::<Vec<_>>(),
    );
    section(
        &mut html,
        level,
        "organisaties",
        "Aantal organisaties per huishouden",
        "Van hoeveel verschillende organisaties krijgt een huishouden hulp?",
        "Aantal organisaties",
        &t.by_organisation_count
            .iter()
            .map(|r| (r.organisations.label(), r.households))
            .collect::<Vec<_>>(),
    );
    section(
        &mut html,
        level,
        "voorzieningen",
        "Aantal voorzieningen per huishouden",
        "Hoeveel verschillende voorzieningen heeft een huishouden? Dezelfde voorziening van twee organisaties telt als twee.",
        "Aantal voorzieningen",
        &t.by_provision_count
            .iter()
            .map(|r| (r.provisions.label(), r.households))
            .collect::<Vec<_>>(),
    );
    section(
        &mut html,
        level,
        "combinaties",
        "Combinaties van domeinen",
        "Welke domeinen komen samen voor bij één huishouden? De grootste groepen staan bovenaan.",
        "Combinatie",
        &t.by_domain_combination
            .iter()
            .map(|r| (r.combination.join(" + "), r.households))
            .collect::<Vec<_>>(),
    );

    // A chart with hundreds of bars helps nobody: chart the neighbourhoods with the most
    // multi-domain households (by published number), list all of them in the table.
    let mut charted: Vec<&crate::report::NeighbourhoodRow> = t.by_neighbourhood.iter().collect();
    let chart_note = if charted.len() > MAX_CHARTED_NEIGHBOURHOODS {
        charted.retain(|r| r.multi_domain.is_some());
        charted.sort_by(|a, b| {
            b.multi_domain
                .cmp(&a.multi_domain)
                .then_with(|| a.buurtcode.cmp(&b.buurtcode))
        });
        charted.truncate(MAX_CHARTED_NEIGHBOURHOODS);
        format!(
            " De grafiek toont de {MAX_CHARTED_NEIGHBOURHOODS} buurten met de meeste huishoudens met hulp uit meer dan één domein; de tabel toont alle {} buurten.",
            t.by_neighbourhood.len()
        )
    } else {
        String::new()
    };
    let _ = write!(
        html,
        r#"<section aria-labelledby="buurten-h"><h{level} id="buurten-h">Per buurt</h{level}><p>Hoeveel huishoudens per buurt hulp krijgen, en hoeveel daarvan uit meer dan één domein. De buurt is de CBS-buurtcode die de organisaties opgaven.{}</p><figure>{}</figure>{}</section>"#,
        escape(&chart_note),
        bar_chart(
            "buurten",
            "Huishoudens met hulp uit meer dan één domein, per buurt",
            &charted
                .iter()
                .map(|r| (r.buurtcode.clone(), r.multi_domain))
                .collect::<Vec<_>>()
        ),
        table(
            "Huishoudens per buurt",
            &["Buurtcode", "Huishoudens", "Met meer dan één domein"],
            &t.by_neighbourhood
                .iter()
                .map(|r| vec![
                    r.buurtcode.clone(),
                    shown(r.households),
                    shown(r.multi_domain)
                ])
                .collect::<Vec<_>>()
        )
    );
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_use_dutch_thousands_separators() {
        assert_eq!(number(0), "0");
        assert_eq!(number(999), "999");
        assert_eq!(number(41230), "41.230");
        assert_eq!(number(1234567), "1.234.567");
    }

    #[test]
    fn the_label_column_fits_the_longest_label() {
        let svg = bar_chart(
            "b",
            "t",
            &[
                ("BU99990101".to_string(), Some(10)),
                ("BU99990102".to_string(), None),
            ],
        );
        // Ten upper-case letters and digits at about 9 px each need 90 px; the labels
        // end 8 px before the bars, so the bars must start at 98 px or later.
        let x: u32 = svg
            .split("<rect x=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|x| x.parse().ok())
            .unwrap();
        assert!(x >= 98 + 8, "bars start at {x}");
        let anchor: u32 = svg
            .split("<text x=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|x| x.parse().ok())
            .unwrap();
        assert!(anchor >= text_width("BU99990101") + 8);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}

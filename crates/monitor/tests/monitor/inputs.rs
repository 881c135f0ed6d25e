//! The input rules: messy but valid files are accepted; each kind of bad input is
//! refused with `FILE:LINE: column: what is wrong`, and nothing is written.

use crate::common::*;

const HEADER: &str =
    "postcode,huisnummer,huisletter,toevoeging,buurtcode,domein,voorziening,periode";

fn header_and(rows: &str) -> String {
    format!("{HEADER}\n{rows}")
}

#[test]
fn every_spelling_of_one_address_gets_one_pseudonym() {
    let spellings = [
        "1234AB,12,a,2hg,BU99990101,wmo,HV,2025",
        "1234 AB,12,A,2HG,BU99990101,wmo,HV,2025",
        "1234ab,012,a,2Hg,bu99990101,WMO,HV,2025-01",
        " 1234 ab ,12 , A ,2hg,BU99990101, Wmo ,HV,",
        "1234\u{a0}aB,12,a,2HG,BU99990101,wmo,HV,2025",
    ];
    let out = pseudonymise_text(
        header_and(&spellings.join("\n")).as_bytes(),
        "in.csv",
        "Org",
    )
    .unwrap();
    let pseudonyms: std::collections::BTreeSet<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(pseudonyms.len(), 1, "{out}");
    let other = pseudonymise_text(
        header_and("1234AB,12,a,,BU99990101,wmo,HV,2025").as_bytes(),
        "in.csv",
        "Org",
    )
    .unwrap();
    assert!(
        !out.contains(other.lines().nth(1).unwrap().split(',').next().unwrap()),
        "another addition is another household"
    );
}

#[test]
fn bom_semicolons_crlf_and_extra_columns_are_accepted() {
    let text = "\u{feff}naam;Postcode;HUISNUMMER;buurtcode;domein;voorziening;bsn\r\n\
                Jansen;1234AB;1;BU99990101;jeugd;\"JW; ambulant\";123456782\r\n\
                Pietersen;2345 CD;2;BU99990102;wmo;HV;111222333\r\n";
    let out = pseudonymise_text(text.as_bytes(), "in.csv", "Wijkteam Noord").unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "pseudoniem,organisatie,buurtcode,domein,voorziening,periode"
    );
    assert_eq!(lines.len(), 3);
    assert!(
        out.contains(",Wijkteam Noord,BU99990101,jeugd,\"JW; ambulant\","),
        "{out}"
    );
    for leaked in ["Jansen", "Pietersen", "123456782", "1234AB", "2345"] {
        assert!(!out.contains(leaked), "{leaked} survived into the output");
    }
}

#[test]
fn output_has_exactly_the_documented_columns_and_hex_pseudonyms() {
    let out = pseudonymise_text(
        header_and("1234AB,1,,,BU99990101,ggz,X,2025-03\n").as_bytes(),
        "in.csv",
        "O",
    )
    .unwrap();
    let row: Vec<&str> = out.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(row.len(), 6);
    assert_eq!(row[0].len(), 64);
    assert!(row[0]
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert_eq!(&row[1..], ["O", "BU99990101", "ggz", "X", "2025-03"]);
}

/// Runs the CLI on `input` and returns the error text; asserts nothing was written.
fn refused(name: &str, input: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.key");
    cli(&["keygen", "--out", key.to_str().unwrap()]).unwrap();
    let input_path = write(dir.path(), name, input);
    let out = dir.path().join("out.csv");
    let err = cli(&[
        "pseudonymise",
        "--key",
        key.to_str().unwrap(),
        "--org",
        "Org",
        input_path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
    .expect_err("bad input must be refused");
    assert!(!out.exists(), "no output may be written on error");
    let left: Vec<_> = files_under(dir.path());
    assert_eq!(left.len(), 2, "only the key and the input remain: {left:?}");
    format!("{err:#}")
}

fn assert_names(err: &str, file: &str, line: u64, column: &str, what: &str) {
    let prefix = format!("{file}:{line}: {column}: ");
    assert!(err.contains(&prefix), "expected `{prefix}` in:\n{err}");
    assert!(err.contains(what), "expected `{what}` in:\n{err}");
}

#[test]
fn an_empty_file_is_refused() {
    let err = refused("leeg.csv", b"");
    assert!(err.contains("leeg.csv: the file is empty"), "{err}");
    let err = refused("bom.csv", b"\xEF\xBB\xBF\r\n");
    assert!(err.contains("bom.csv: the file is empty"), "{err}");
}

#[test]
fn a_file_with_only_a_header_is_refused() {
    let err = refused("kop.csv", format!("{HEADER}\n").as_bytes());
    assert!(
        err.contains("kop.csv: the file has a header row but no data rows"),
        "{err}"
    );
}

#[test]
fn a_missing_required_column_is_refused() {
    let err = refused(
        "geen-buurt.csv",
        b"postcode,huisnummer,domein,voorziening\n1234AB,1,wmo,HV\n",
    );
    assert!(
        err.contains("geen-buurt.csv:1: header: missing required column `buurtcode`"),
        "{err}"
    );
}

#[test]
fn a_ragged_row_is_refused() {
    let err = refused(
        "rafelig.csv",
        header_and("1234AB,1,,,BU99990101,wmo,HV,2025\n1234AB,2,,BU99990101,wmo,HV,2025\n")
            .as_bytes(),
    );
    assert_names(
        &err,
        "rafelig.csv",
        3,
        "row",
        "the row has 7 fields but the header has 8",
    );
}

#[test]
fn a_header_that_is_not_utf8_is_refused() {
    let err = refused(
        "kop-latin1.csv",
        b"postcode;huisnummer;buurtcode;domein;voorzi\xEBning\n1234AB;1;BU99990101;wmo;HV\n",
    );
    assert!(
        err.contains("kop-latin1.csv:1: header: not valid UTF-8 text; save the file as UTF-8"),
        "{err}"
    );
}

#[test]
fn a_column_that_appears_twice_is_refused() {
    let err = refused(
        "dubbel.csv",
        b"postcode,huisnummer,buurtcode,domein,voorziening, Postcode\n1234AB,1,BU99990101,wmo,HV,5678CD\n",
    );
    assert!(
        err.contains("dubbel.csv:1: header: the column `postcode` appears more than once"),
        "{err}"
    );
}

#[test]
fn a_file_that_was_pseudonymised_already_is_refused() {
    let once = pseudonymise_text(
        header_and("1234AB,1,,,BU99990101,wmo,HV,2025\n").as_bytes(),
        "in.csv",
        "Org",
    )
    .unwrap();
    let err = refused("p.csv", once.as_bytes());
    assert!(
        err.contains("p.csv: cannot read: this file already has a `pseudoniem` column; it was pseudonymised before"),
        "{err}"
    );
    // Also with the address columns still there.
    let err = refused(
        "beide.csv",
        b"pseudoniem,postcode,huisnummer,buurtcode,domein,voorziening\nab,1234AB,1,BU99990101,wmo,HV\n",
    );
    assert!(err.contains("already has a `pseudoniem` column"), "{err}");
}

#[test]
fn invalid_utf8_is_refused() {
    let mut bytes = header_and("1234AB,1,,,BU99990101,wmo,HV,2025\n").into_bytes();
    bytes.extend_from_slice(b"1234AB,2,,,BU99990101,wmo,H\xE9V,2025\n");
    let err = refused("latin1.csv", &bytes);
    assert_names(&err, "latin1.csv", 3, "voorziening", "not valid UTF-8");
}

#[test]
fn a_bad_postcode_is_refused_without_repeating_it() {
    let err = refused(
        "pc.csv",
        header_and("123AB,1,,,BU99990101,wmo,HV,2025\n").as_bytes(),
    );
    assert_names(&err, "pc.csv", 2, "postcode", "not a Dutch postcode");
    assert!(!err.contains("123AB"), "addresses are not echoed: {err}");
}

#[test]
fn a_bad_huisnummer_is_refused() {
    let err = refused(
        "nr.csv",
        header_and("1234AB,0,,,BU99990101,wmo,HV,2025\n1234AB,12a,,,BU99990101,wmo,HV,2025\n")
            .as_bytes(),
    );
    assert_names(&err, "nr.csv", 2, "huisnummer", "not a house number");
    assert_names(&err, "nr.csv", 3, "huisnummer", "not a house number");
}

#[test]
fn a_bad_huisletter_or_toevoeging_is_refused() {
    let err = refused(
        "hl.csv",
        header_and("1234AB,1,ab,,BU99990101,wmo,HV,2025\n1234AB,1,,12345,BU99990101,wmo,HV,2025\n")
            .as_bytes(),
    );
    assert_names(&err, "hl.csv", 2, "huisletter", "not a house letter");
    assert_names(
        &err,
        "hl.csv",
        3,
        "toevoeging",
        "not a house number addition",
    );
}

#[test]
fn a_bad_buurtcode_is_refused() {
    let err = refused(
        "bu.csv",
        header_and("1234AB,1,,,WK999901,wmo,HV,2025\n").as_bytes(),
    );
    assert_names(
        &err,
        "bu.csv",
        2,
        "buurtcode",
        "\"WK999901\" is not a CBS neighbourhood code",
    );
}

#[test]
fn an_unknown_domein_is_refused() {
    let err = refused(
        "dom.csv",
        header_and("1234AB,1,,,BU99990101,zorg,HV,2025\n").as_bytes(),
    );
    assert_names(
        &err,
        "dom.csv",
        2,
        "domein",
        "\"zorg\" is not a known domain; allowed: jeugd, wmo",
    );
}

#[test]
fn an_empty_voorziening_is_refused() {
    let err = refused(
        "vz.csv",
        header_and("1234AB,1,,,BU99990101,wmo,  ,2025\n").as_bytes(),
    );
    assert_names(&err, "vz.csv", 2, "voorziening", "is empty");
}

#[test]
fn a_bad_periode_is_refused() {
    let err = refused(
        "per.csv",
        header_and("1234AB,1,,,BU99990101,wmo,HV,2025-13\n").as_bytes(),
    );
    assert_names(&err, "per.csv", 2, "periode", "\"2025-13\" is not a period");
}

#[test]
fn lines_count_from_the_header_through_crlf_and_quoted_line_breaks() {
    let text = format!("{HEADER}\r\n1234AB,1,,,BU99990101,wmo,\"two\r\nlines\",2025\r\n1234AB,1,,,BU99990101,wmo,HV,1800\r\n");
    let err = refused("crlf.csv", text.as_bytes());
    assert_names(&err, "crlf.csv", 2, "voorziening", "control character");
    assert_names(&err, "crlf.csv", 4, "periode", "\"1800\" is not a period");
}

#[test]
fn every_bad_row_is_listed_up_to_the_limit_then_counted() {
    let rows: String = (0..80)
        .map(|_| "1234AB,1,,,BU99990101,zorg,HV,2025\n")
        .collect();
    let err = refused("veel.csv", header_and(&rows).as_bytes());
    assert_eq!(err.matches("veel.csv:").count(), 50, "{err}");
    assert!(
        err.contains("… and 30 more problems (80 in total); nothing was written"),
        "{err}"
    );
    assert!(err.contains("veel.csv:51: domein:"), "{err}");
}

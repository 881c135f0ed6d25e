//! iWmo 3.2 in and out, against the official XSDs with a real validator
//! (xmllint). The example messages in `tests/berichten/` are copies of the
//! standard's examples (`standards/iwmo-3.2/berichten`).

use baken_iwmo::{
    read, validate, wmo301, wmo319, Assignment, Client, Header, Incoming, MessageKind, ReadError,
    RejectionReason, SchemaError, Wmo301,
};
use chrono::{NaiveDate, NaiveTime};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn example(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/berichten/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn the_standards_example_wmo305_is_read() {
    match read(&example("WMO305.xml")).unwrap() {
        Incoming::Start {
            header,
            bsn,
            starts,
        } => {
            assert_eq!(header.sender, "65656055");
            assert_eq!(header.identification, "123456789013");
            assert_eq!(bsn, "999900006");
            assert_eq!(starts.len(), 2);
            assert_eq!(starts[0].number, 300201);
            assert_eq!(starts[0].on, d("2025-04-03"));
        }
        other => panic!("read as {:?}", other.kind()),
    }
}

#[test]
fn the_standards_example_wmo307_is_read_with_its_reason() {
    match read(&example("WMO307.xml")).unwrap() {
        Incoming::Stop { stops, .. } => {
            assert_eq!(stops.len(), 2);
            assert_eq!(stops[1].number, 300202);
            assert_eq!(stops[1].on, d("2025-07-18"));
            assert_eq!(stops[1].reason.code(), "31");
            assert_eq!(
                stops[1].reason.label(),
                "verhuizing naar een andere gemeente"
            );
        }
        other => panic!("read as {:?}", other.kind()),
    }
}

#[test]
fn the_standards_example_wmo315_is_read() {
    match read(&example("WMO315.xml")).unwrap() {
        Incoming::Request {
            header, requests, ..
        } => {
            assert_eq!(header.sender, "42420001");
            assert_eq!(requests.len(), 2);
            assert_eq!(requests[0].reference, "42420001");
            assert_eq!(requests[0].product_code.as_deref(), Some("ABCDE"));
            assert_eq!(requests[0].volume, Some((4, "14".into(), "4".into())));
            assert_eq!(requests[0].end, Some(d("2023-06-30")));
        }
        other => panic!("read as {:?}", other.kind()),
    }
}

#[test]
fn messages_baken_writes_itself_are_not_read_as_input() {
    assert!(matches!(
        read(&example("WMO301.xml")),
        Err(ReadError::NotRead("WMO301"))
    ));
    // ... but they are valid: the validator accepts the standard's examples.
    validate(MessageKind::Wmo301, &example("WMO301.xml")).unwrap();
    validate(MessageKind::Wmo319, &example("WMO319.xml")).unwrap();
}

#[test]
fn an_invalid_message_is_refused_with_the_line_and_path_of_the_problem() {
    let text = String::from_utf8(example("WMO305.xml")).unwrap();
    let broken = text.replacen(
        "<wmo305:Begindatum>2025-04-03</wmo305:Begindatum>",
        "<wmo305:Begindatum>3 april</wmo305:Begindatum>",
        1,
    );
    let line = broken.lines().position(|l| l.contains("3 april")).unwrap() as u32 + 1;
    match read(broken.as_bytes()) {
        Err(ReadError::Schema(SchemaError::Invalid(invalid))) => {
            let p = &invalid.problems[0];
            assert_eq!(p.line, Some(line));
            assert_eq!(
                p.path.as_deref(),
                Some("/Bericht/Client/StartProducten/StartProduct/Begindatum")
            );
            assert!(p.message.contains("3 april"), "{}", p.message);
        }
        other => panic!("expected a schema refusal, got {other:?}"),
    }
}

#[test]
fn a_file_that_is_not_xml_is_refused_before_validation() {
    assert!(matches!(read(b"not xml"), Err(ReadError::NotIwmo(_))));
    assert!(matches!(
        read(b"<a xmlns=\"urn:x\"/>"),
        Err(ReadError::NotIwmo(_))
    ));
}

fn message(assignments: Vec<Assignment>) -> Wmo301 {
    Wmo301 {
        header: Header::to_provider("9999", "42420001", "B0000000001", d("2026-12-07")).unwrap(),
        client: Client {
            bsn: "999900006".into(),
            birth_date: d("1948-03-02"),
            given_names: "Johanna Maria".into(),
            surname_prefix: Some("van der".into()),
            surname: "Berg".into(),
            street: "Burgemeester van Walsumstraatweg".into(),
            house_number: 12,
            house_letter: Some("a".into()),
            addition: Some("bis".into()),
            postcode: "9999AB".into(),
            city: "Proefstad".into(),
        },
        assignments,
    }
}

fn assignment(number: i64) -> Assignment {
    Assignment {
        number,
        provider_reference: None,
        category: "02".into(),
        product_code: "02A01".into(),
        assigned_on: d("2026-12-07"),
        assigned_at: NaiveTime::from_hms_opt(10, 30, 0).unwrap(),
        start: d("2027-01-01"),
        end: Some(d("2027-12-31")),
        change_reason: None,
        volume: Some((3, "04".into(), "2".into())),
        budget: None,
    }
}

#[test]
fn a_written_wmo301_validates_against_its_xsd() {
    let mut changed = assignment(2);
    changed.change_reason = Some("03".into());
    changed.provider_reference = Some("REF-315-1".into());
    let mut budget = assignment(3);
    budget.volume = None;
    budget.budget = Some(120_000);
    let xml = wmo301(&message(vec![assignment(1), changed, budget])).unwrap();
    validate(MessageKind::Wmo301, xml.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    assert!(xml.contains("<wmo301:RedenWijziging>03</wmo301:RedenWijziging>"));
    assert!(xml.contains("<wmo301:Budget>120000</wmo301:Budget>"));
    // A street longer than the schema allows is cut to 24 characters.
    assert!(xml.contains("<iwmo:Straatnaam>Burgemeester van Walsums</iwmo:Straatnaam>"));
}

#[test]
fn a_written_wmo319_validates_against_its_xsd() {
    let header = Header::to_provider("GM9999", "42420001", "A1", d("2026-12-07")).unwrap();
    let reason = RejectionReason::parse("7").unwrap();
    let xml = wmo319(&header, "REF-315-1", reason).unwrap();
    validate(MessageKind::Wmo319, xml.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    assert!(xml.contains("<wmo319:Afzender>9999</wmo319:Afzender>"));
}

#[test]
fn a_header_with_a_bad_code_is_refused() {
    assert!(Header::to_provider("999", "42420001", "1", d("2026-01-01")).is_err());
    assert!(Header::to_provider("9999", "4242", "1", d("2026-01-01")).is_err());
    assert!(Header::to_provider("9999", "42420001", "1234567890123", d("2026-01-01")).is_err());
}

//! Step 4: the cumulation tables, protected, as JSON, CSV and a self-contained HTML
//! page.
//!
//! The report is computed in one pass over the households (from a
//! [`LinkedDataset`](crate::LinkedDataset) or streamed from the linked Parquet file)
//! into true counts that never leave this module: [`ReportBuilder::finish`] puts every
//! count, totals included, into one [`Cells`] structure with the additive relations
//! between them and publishes only what [`protect`] returns.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::input::{DomainList, DomainMask};
use crate::intern::FxHashMap;
use crate::link::HouseholdSummary;
use crate::protect::{protect, CellId, Cells, Protection, ProtectionInfo};

/// A bucket of a count table: 1, 2, 3 or "4+".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Exactly(u8),
    FourOrMore,
}

impl Bucket {
    const ALL: [Bucket; 4] = [
        Bucket::Exactly(1),
        Bucket::Exactly(2),
        Bucket::Exactly(3),
        Bucket::FourOrMore,
    ];

    fn index(n: u32) -> usize {
        (n.clamp(1, 4) - 1) as usize
    }

    pub fn label(&self) -> String {
        match self {
            Bucket::Exactly(n) => n.to_string(),
            Bucket::FourOrMore => "4+".into(),
        }
    }
}

impl Serialize for Bucket {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Bucket::Exactly(n) => s.serialize_u8(*n),
            Bucket::FourOrMore => s.serialize_str("4+"),
        }
    }
}

impl<'de> Deserialize<'de> for Bucket {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u8),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n @ 1..=3) => Ok(Bucket::Exactly(n)),
            Raw::S(s) if s == "4+" => Ok(Bucket::FourOrMore),
            Raw::S(s) if matches!(s.as_str(), "1" | "2" | "3") => {
                Ok(Bucket::Exactly(s.as_bytes()[0] - b'0'))
            }
            _ => Err(serde::de::Error::custom("expected 1, 2, 3 or \"4+\"")),
        }
    }
}

/// A published count: `None` is secret ("geheim").
pub type Published = Option<u64>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub households: Published,
    pub records: Published,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainCountRow {
    pub domains: Bucket,
    pub households: Published,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationCountRow {
    pub organisations: Bucket,
    pub households: Published,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionCountRow {
    pub provisions: Bucket,
    pub households: Published,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CombinationRow {
    /// The domains, sorted alphabetically.
    pub combination: Vec<String>,
    pub households: Published,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeighbourhoodRow {
    pub buurtcode: String,
    pub households: Published,
    /// Households with provisions from two or more domains.
    pub multi_domain: Published,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tables {
    pub by_domain_count: Vec<DomainCountRow>,
    pub by_organisation_count: Vec<OrganisationCountRow>,
    pub by_provision_count: Vec<ProvisionCountRow>,
    pub by_domain_combination: Vec<CombinationRow>,
    pub by_neighbourhood: Vec<NeighbourhoodRow>,
}

/// The published report: the shape of `report.json`. Holds protected counts only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub protection: ProtectionInfo,
    pub totals: Totals,
    pub tables: Tables,
}

/// True counts in the shape of `report.json` (every number present), as a distributed
/// engine computes them with `monitor/sql/*.sql`: the input of `baken monitor protect`,
/// which protects them exactly as `report` does. Never publish this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    pub totals: CountTotals,
    pub tables: CountTables,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountTotals {
    pub households: u64,
    pub records: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountTables {
    pub by_domain_count: Vec<DomainCount>,
    pub by_organisation_count: Vec<OrganisationCount>,
    pub by_provision_count: Vec<ProvisionCount>,
    pub by_domain_combination: Vec<CombinationCount>,
    pub by_neighbourhood: Vec<NeighbourhoodCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainCount {
    pub domains: Bucket,
    pub households: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationCount {
    pub organisations: Bucket,
    pub households: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvisionCount {
    pub provisions: Bucket,
    pub households: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CombinationCount {
    /// The domains, any order.
    pub combination: Vec<String>,
    pub households: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeighbourhoodCount {
    pub buurtcode: String,
    pub households: u64,
    pub multi_domain: u64,
}

/// Counts households one at a time; memory grows with the number of neighbourhoods and
/// domain combinations only.
#[derive(Debug, Clone)]
pub struct ReportBuilder {
    domains: DomainList,
    households: u64,
    records: u64,
    domain_count: [u64; 4],
    organisation_count: [u64; 4],
    provision_count: [u64; 4],
    combinations: FxHashMap<DomainMask, u64>,
    /// Per neighbourhood: households, households with two or more domains.
    neighbourhoods: HashMap<Box<str>, [u64; 2]>,
}

impl ReportBuilder {
    pub fn new(domains: DomainList) -> ReportBuilder {
        ReportBuilder {
            domains,
            households: 0,
            records: 0,
            domain_count: [0; 4],
            organisation_count: [0; 4],
            provision_count: [0; 4],
            combinations: FxHashMap::default(),
            neighbourhoods: HashMap::new(),
        }
    }

    /// Counts computed elsewhere (see [`Counts`]), checked: every value known (domains
    /// in `domains`, neighbourhood codes valid, nothing twice) and every relation the
    /// protection relies on holding (each table adds up to the households, the
    /// combinations to their domain counts, the neighbourhoods to the households and
    /// the multi-domain households). `file` names the input in errors.
    pub fn from_counts(
        domains: DomainList,
        counts: &Counts,
        file: &str,
    ) -> Result<ReportBuilder, crate::MonitorError> {
        let bad = |reason: String| crate::MonitorError::Counts {
            file: file.to_owned(),
            reason,
        };
        let mut b = ReportBuilder::new(domains);
        b.households = counts.totals.households;
        b.records = counts.totals.records;
        if b.records < b.households {
            return Err(bad(format!(
                "{} records for {} households; every household has at least one record",
                b.records, b.households
            )));
        }
        let t = &counts.tables;
        let buckets = |name: &str, rows: &mut dyn Iterator<Item = (Bucket, u64)>| {
            let mut out = [None::<u64>; 4];
            for (bucket, n) in rows {
                let i = match bucket {
                    Bucket::Exactly(k) => usize::from(k) - 1,
                    Bucket::FourOrMore => 3,
                };
                if out[i].replace(n).is_some() {
                    return Err(bad(format!(
                        "{name}: the row {} appears twice",
                        bucket.label()
                    )));
                }
            }
            let out = out.map(|n| n.unwrap_or(0));
            if out.iter().sum::<u64>() != counts.totals.households {
                return Err(bad(format!(
                    "{name}: the rows add up to {}, not to the {} households",
                    out.iter().sum::<u64>(),
                    counts.totals.households
                )));
            }
            Ok(out)
        };
        b.domain_count = buckets(
            "by_domain_count",
            &mut t.by_domain_count.iter().map(|r| (r.domains, r.households)),
        )?;
        b.organisation_count = buckets(
            "by_organisation_count",
            &mut t
                .by_organisation_count
                .iter()
                .map(|r| (r.organisations, r.households)),
        )?;
        b.provision_count = buckets(
            "by_provision_count",
            &mut t
                .by_provision_count
                .iter()
                .map(|r| (r.provisions, r.households)),
        )?;
        let mut by_size = [0u64; 4];
        for row in &t.by_domain_combination {
            let mut mask: DomainMask = 0;
            for name in &row.combination {
                let Some(i) = b.domains.find(name.as_bytes()) else {
                    return Err(bad(format!(
                        "by_domain_combination: \"{}\" is not in the domain list ({})",
                        crate::error::shown_value(name),
                        b.domains.joined()
                    )));
                };
                if mask & (1u64 << i) != 0 {
                    return Err(bad(format!(
                        "by_domain_combination: \"{}\" appears twice in one combination",
                        crate::error::shown_value(name)
                    )));
                }
                mask |= 1u64 << i;
            }
            if mask == 0 || row.households == 0 {
                return Err(bad(
                    "by_domain_combination: a combination needs a domain and a household".into(),
                ));
            }
            if b.combinations.insert(mask, row.households).is_some() {
                return Err(bad(format!(
                    "by_domain_combination: {} appears twice",
                    b.domains.names_in(mask).join("+")
                )));
            }
            by_size[Bucket::index(mask.count_ones())] += row.households;
        }
        if by_size != b.domain_count {
            return Err(bad(
                "by_domain_combination does not add up to by_domain_count".into(),
            ));
        }
        let (mut households, mut multi) = (0u64, 0u64);
        for row in &t.by_neighbourhood {
            let code = crate::BuurtCode::parse(&row.buurtcode)
                .map_err(|p| bad(format!("by_neighbourhood: {p}")))?;
            if row.households == 0 || row.multi_domain > row.households {
                return Err(bad(format!(
                    "by_neighbourhood: {}: needs households > 0 and multi_domain at most households",
                    code.as_str()
                )));
            }
            if b.neighbourhoods
                .insert(code.as_str().into(), [row.households, row.multi_domain])
                .is_some()
            {
                return Err(bad(format!(
                    "by_neighbourhood: {} appears twice",
                    code.as_str()
                )));
            }
            households += row.households;
            multi += row.multi_domain;
        }
        if households != b.households || multi != b.domain_count[1..].iter().sum::<u64>() {
            return Err(bad(
                "by_neighbourhood does not add up to the households and the multi-domain households of by_domain_count".into(),
            ));
        }
        Ok(b)
    }

    /// Adds one household. A household always has at least one domain, organisation
    /// and provision; the linked file's reader checks that.
    pub fn add(&mut self, h: &HouseholdSummary<'_>) {
        let domains = h.domains.count_ones();
        self.households += 1;
        self.records += u64::from(h.records);
        self.domain_count[Bucket::index(domains)] += 1;
        self.organisation_count[Bucket::index(h.organisations)] += 1;
        self.provision_count[Bucket::index(h.provisions)] += 1;
        *self.combinations.entry(h.domains).or_insert(0) += 1;
        let multi = u64::from(domains >= 2);
        match self.neighbourhoods.get_mut(h.buurtcode) {
            Some(n) => {
                n[0] += 1;
                n[1] += multi;
            }
            None => {
                self.neighbourhoods.insert(h.buurtcode.into(), [1, multi]);
            }
        }
    }

    /// Protects every count with `protection` and returns the publishable report.
    pub fn finish(self, protection: &Protection) -> Report {
        self.finish_for_audit(protection).0
    }

    /// For tests and audits of the protection: the report together with the true
    /// counts and relations it was protected from, and what [`protect`] decided.
    /// Never publish the cells.
    pub fn finish_for_audit(
        self,
        protection: &Protection,
    ) -> (Report, Cells, crate::protect::Protected) {
        let mut cells = Cells::new();
        let households = cells.published(self.households);
        let records = cells.published(self.records);
        let bucket_cells = |cells: &mut Cells, counts: &[u64; 4]| -> [CellId; 4] {
            let ids = counts.map(|v| cells.published(v));
            cells.group(households, ids.to_vec());
            ids
        };
        let domain_count = bucket_cells(&mut cells, &self.domain_count);
        let organisation_count = bucket_cells(&mut cells, &self.organisation_count);
        let provision_count = bucket_cells(&mut cells, &self.provision_count);

        // Combinations, nested under the domain-count buckets.
        let mut combinations: Vec<(Vec<&str>, u64, CellId)> = {
            let mut masks: Vec<(&DomainMask, &u64)> = self.combinations.iter().collect();
            masks.sort_unstable();
            masks
                .into_iter()
                .map(|(&mask, &n)| (self.domains.names_in(mask), n, cells.published(n)))
                .collect()
        };
        for (bucket, &total) in domain_count.iter().enumerate() {
            let parts: Vec<CellId> = combinations
                .iter()
                .filter(|(names, _, _)| Bucket::index(names.len() as u32) == bucket)
                .map(|c| c.2)
                .collect();
            if !parts.is_empty() {
                cells.group(total, parts);
            }
        }

        // Households with two or more domains: not published as a total, but implied
        // (households minus those with one domain), so it takes part as a hidden cell.
        let multi_total = cells.hidden(self.domain_count[1..].iter().sum());
        cells.group(multi_total, domain_count[1..].to_vec());
        cells.group(households, vec![domain_count[0], multi_total]);

        // Neighbourhoods: households = one domain (hidden) + two or more domains.
        let mut neighbourhoods: Vec<(&str, [u64; 2])> = self
            .neighbourhoods
            .iter()
            .map(|(k, v)| (&**k, *v))
            .collect();
        neighbourhoods.sort_unstable();
        let mut n_cells = Vec::with_capacity(neighbourhoods.len());
        for (_, [total, multi]) in &neighbourhoods {
            let t = cells.published(*total);
            let m = cells.published(*multi);
            let single = cells.hidden(total - multi);
            cells.group(t, vec![single, m]);
            n_cells.push((t, m, single));
        }
        if !n_cells.is_empty() {
            cells.group(households, n_cells.iter().map(|c| c.0).collect());
            cells.group(multi_total, n_cells.iter().map(|c| c.1).collect());
            cells.group(domain_count[0], n_cells.iter().map(|c| c.2).collect());
        }

        let published = protect(&cells, protection);
        let p = |id: CellId| published.get(id);

        // Order combinations by published size (secret ones last), then by name, so
        // the order reveals nothing beyond the published numbers.
        combinations.sort_by(|a, b| {
            let (pa, pb) = (p(a.2), p(b.2));
            pb.cmp(&pa)
                .then_with(|| a.0.len().cmp(&b.0.len()))
                .then_with(|| a.0.cmp(&b.0))
        });

        let report = Report {
            protection: protection.info(),
            totals: Totals {
                households: p(households),
                records: p(records),
            },
            tables: Tables {
                by_domain_count: Bucket::ALL
                    .iter()
                    .zip(domain_count)
                    .map(|(&b, id)| DomainCountRow {
                        domains: b,
                        households: p(id),
                    })
                    .collect(),
                by_organisation_count: Bucket::ALL
                    .iter()
                    .zip(organisation_count)
                    .map(|(&b, id)| OrganisationCountRow {
                        organisations: b,
                        households: p(id),
                    })
                    .collect(),
                by_provision_count: Bucket::ALL
                    .iter()
                    .zip(provision_count)
                    .map(|(&b, id)| ProvisionCountRow {
                        provisions: b,
                        households: p(id),
                    })
                    .collect(),
                by_domain_combination: combinations
                    .iter()
                    .map(|(names, _, id)| CombinationRow {
                        combination: names.iter().map(|s| s.to_string()).collect(),
                        households: p(*id),
                    })
                    .collect(),
                by_neighbourhood: neighbourhoods
                    .iter()
                    .zip(&n_cells)
                    .map(|((code, _), (t, m, _))| NeighbourhoodRow {
                        buurtcode: code.to_string(),
                        households: p(*t),
                        multi_domain: p(*m),
                    })
                    .collect(),
            },
        };
        (report, cells, published)
    }
}

/// The report for a linked dataset (the web upload's path: link, then report).
pub fn report(dataset: &crate::LinkedDataset, protection: &Protection) -> Report {
    let mut builder = ReportBuilder::new(dataset.domains().clone());
    for h in dataset.summaries() {
        builder.add(&h);
    }
    builder.finish(protection)
}

fn cell(v: Published) -> String {
    v.map_or_else(String::new, |n| n.to_string())
}

/// The names of the table files, in the order they are written.
pub const TABLE_FILES: [&str; 5] = [
    "by_domain_count.csv",
    "by_organisation_count.csv",
    "by_provision_count.csv",
    "by_domain_combination.csv",
    "by_neighbourhood.csv",
];

impl Report {
    /// `report.json`: one line per table row (easy to read and to diff), keys in the
    /// documented order, with a final newline.
    pub fn to_json(&self) -> String {
        fn compact<T: Serialize>(v: &T) -> String {
            serde_json::to_string(v).unwrap_or_else(|e| unreachable!("report rows serialise: {e}"))
        }
        fn table<T: Serialize>(out: &mut String, name: &str, rows: &[T], last: bool) {
            let _ = write!(out, "    \"{name}\": [");
            for (i, r) in rows.iter().enumerate() {
                let _ = write!(
                    out,
                    "{}\n      {}",
                    if i == 0 { "" } else { "," },
                    compact(r)
                );
            }
            out.push_str(if rows.is_empty() { "]" } else { "\n    ]" });
            out.push_str(if last { "\n" } else { ",\n" });
        }
        let t = &self.tables;
        let mut s = String::with_capacity(4096);
        let _ = write!(
            s,
            "{{\n  \"protection\": {},\n  \"totals\": {},\n  \"tables\": {{\n",
            compact(&self.protection),
            compact(&self.totals)
        );
        table(&mut s, "by_domain_count", &t.by_domain_count, false);
        table(
            &mut s,
            "by_organisation_count",
            &t.by_organisation_count,
            false,
        );
        table(&mut s, "by_provision_count", &t.by_provision_count, false);
        table(
            &mut s,
            "by_domain_combination",
            &t.by_domain_combination,
            false,
        );
        table(&mut s, "by_neighbourhood", &t.by_neighbourhood, true);
        s.push_str("  }\n}\n");
        s
    }

    /// One CSV per table (`,`, LF; a secret count is an empty cell), named as in
    /// [`TABLE_FILES`].
    pub fn table_csvs(&self) -> Vec<(&'static str, String)> {
        let t = &self.tables;
        let mut out = Vec::with_capacity(5);
        let mut s = String::from("domains,households\n");
        for r in &t.by_domain_count {
            let _ = writeln!(s, "{},{}", r.domains.label(), cell(r.households));
        }
        out.push((TABLE_FILES[0], s));
        let mut s = String::from("organisations,households\n");
        for r in &t.by_organisation_count {
            let _ = writeln!(s, "{},{}", r.organisations.label(), cell(r.households));
        }
        out.push((TABLE_FILES[1], s));
        let mut s = String::from("provisions,households\n");
        for r in &t.by_provision_count {
            let _ = writeln!(s, "{},{}", r.provisions.label(), cell(r.households));
        }
        out.push((TABLE_FILES[2], s));
        let mut s = String::from("combination,households\n");
        for r in &t.by_domain_combination {
            let _ = writeln!(s, "{},{}", r.combination.join("+"), cell(r.households));
        }
        out.push((TABLE_FILES[3], s));
        let mut s = String::from("buurtcode,households,multi_domain\n");
        for r in &t.by_neighbourhood {
            let _ = writeln!(
                s,
                "{},{},{}",
                r.buurtcode,
                cell(r.households),
                cell(r.multi_domain)
            );
        }
        out.push((TABLE_FILES[4], s));
        out
    }

    /// `report.html`: a self-contained page in Dutch with inline SVG charts and a
    /// captioned table per chart; no scripts, fonts, images or links.
    pub fn to_html(&self) -> String {
        crate::html::render(self)
    }

    /// The figures, explanation, charts (inline SVG) and tables of `report.html`, to
    /// show inside another page (no style, no script); headings start at
    /// `heading_level` (2 to 5). All text is escaped.
    pub fn to_html_fragment(&self, heading_level: u8) -> String {
        crate::html::fragment(self, heading_level)
    }
}

/// The report for counts computed elsewhere (`baken monitor protect`): the same
/// protection as [`report`], from a [`Counts`] JSON file.
pub fn report_from_counts(
    json: &[u8],
    name: &str,
    domains: &DomainList,
    protection: &Protection,
) -> Result<Report, crate::MonitorError> {
    let counts: Counts = serde_json::from_slice(json).map_err(|e| crate::MonitorError::Counts {
        file: name.to_owned(),
        reason: e.to_string(),
    })?;
    Ok(ReportBuilder::from_counts(domains.clone(), &counts, name)?.finish(protection))
}

/// The report for a linked Parquet file, streamed household by household.
pub fn report_from_parquet(
    file: std::fs::File,
    name: &str,
    domains: &DomainList,
    protection: &Protection,
) -> Result<Report, crate::MonitorError> {
    let mut builder = ReportBuilder::new(domains.clone());
    crate::link::scan_linked_parquet(file, name, domains, |h| builder.add(h))?;
    Ok(builder.finish(protection))
}

/// Writes `report.json`, the table CSVs and `report.html` into `dir` (created if
/// needed), each file atomically and readable by all (mode 0644): this is the
/// publication. Everything is rendered before the first file is written.
pub fn write_report_dir(
    report: &Report,
    dir: &std::path::Path,
) -> Result<Vec<std::path::PathBuf>, crate::MonitorError> {
    use std::io::Write;
    let mut files: Vec<(&str, Vec<u8>)> = vec![("report.json", report.to_json().into_bytes())];
    files.extend(
        report
            .table_csvs()
            .into_iter()
            .map(|(name, csv)| (name, csv.into_bytes())),
    );
    files.push(("report.html", report.to_html().into_bytes()));
    std::fs::create_dir_all(dir).map_err(|source| crate::MonitorError::Write {
        path: dir.display().to_string(),
        source,
    })?;
    let mut written = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let path = dir.join(name);
        crate::output::write_atomically(&path, true, |w| {
            w.write_all(&bytes)
                .map_err(|source| crate::MonitorError::Write {
                    path: path.display().to_string(),
                    source,
                })
        })?;
        written.push(path);
    }
    Ok(written)
}

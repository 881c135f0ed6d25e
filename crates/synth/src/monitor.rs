//! The stapelingsmonitor's demo input: a synthetic region's organisation files, with
//! addresses, as organisations hand them to `baken monitor pseudonymise`.
//!
//! The region is GM9999 with up to 1,000 neighbourhoods `BU9999wwbb` (40 wijken of
//! up to 25 buurten); postcodes are four digits and two letters. Eight organisations,
//! each with its own domain(s), delimiter and spelling habits — the variety a real
//! merge meets:
//! - `;` (Dutch Excel) or `,` as delimiter, and Excel's byte order mark on some files;
//! - postcodes as `1234AB`, `1234 AB`, `1234ab` and `1234 ab`;
//! - an extra column (`clientnummer`) that must not survive pseudonymisation;
//! - house letters and additions on some addresses;
//! - about 1% of an organisation's rows name a neighbouring neighbourhood, so that
//!   linking meets households reported in two neighbourhoods.
//!
//! Cumulation is skewed as in practice: most households get help from one
//! organisation, a long tail from four or more, and households with debts are more
//! likely to also be in participatie.
//!
//! Deterministic: the same rows and seed give the same bytes. Like the rest of this
//! crate it does no I/O: [`MonitorRegion::next_household`] appends CSV lines to
//! buffers the caller writes out.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;

/// One organisation of the region and the habits of its export.
#[derive(Debug, Clone, Copy)]
pub struct MonitorOrganisation {
    /// The organisation's name (for `--org`).
    pub name: &'static str,
    /// The domains it reports; a row names one of them.
    pub domains: &'static [&'static str],
    /// Its provision codes.
    pub codes: &'static [&'static str],
    /// Relative size: the share of households it serves.
    pub weight: f64,
    /// `;` or `,`.
    pub delimiter: u8,
    /// Whether its file starts with Excel's byte order mark.
    pub bom: bool,
}

/// The region's organisations; file `org{i}.csv` belongs to organisation `i`.
pub const ORGANISATIONS: [MonitorOrganisation; 8] = [
    MonitorOrganisation {
        name: "Jeugdteam Zaanstreek",
        domains: &["jeugd"],
        codes: &["JW-AMB", "JW-PLG", "JW-VB", "JW-DGB", "JW-CRISIS"],
        weight: 0.20,
        delimiter: b';',
        bom: true,
    },
    MonitorOrganisation {
        name: "Wmo-loket",
        domains: &["wmo"],
        codes: &["WMO-HV", "WMO-BG", "WMO-VV", "WMO-HM", "WMO-WV", "WMO-DB"],
        weight: 0.30,
        delimiter: b',',
        bom: false,
    },
    MonitorOrganisation {
        name: "Werkplein",
        domains: &["participatie"],
        codes: &["PW-BIJST", "PW-RE", "PW-LK", "PW-JOB", "PW-TOZO"],
        weight: 0.22,
        delimiter: b';',
        bom: false,
    },
    MonitorOrganisation {
        name: "Stadsbank",
        domains: &["schuldhulp"],
        codes: &["SH-INT", "SH-BBR", "SH-MSNP", "SH-BW"],
        weight: 0.08,
        delimiter: b',',
        bom: true,
    },
    MonitorOrganisation {
        name: "GGZ Noord",
        domains: &["ggz"],
        codes: &["GGZ-BAS", "GGZ-SPEC", "GGZ-FACT"],
        weight: 0.07,
        delimiter: b',',
        bom: false,
    },
    MonitorOrganisation {
        name: "Woonstichting",
        domains: &["wonen"],
        codes: &["WO-ACHT", "WO-URG", "WO-BW"],
        weight: 0.05,
        delimiter: b';',
        bom: false,
    },
    MonitorOrganisation {
        name: "Sociaal wijkteam",
        domains: &["wmo", "jeugd", "overig"],
        codes: &["SWT-ALG", "SWT-MW", "SWT-OPV"],
        weight: 0.12,
        delimiter: b',',
        bom: true,
    },
    MonitorOrganisation {
        name: "Buurtwerk",
        domains: &["overig"],
        codes: &["BW-ACT", "BW-MAAT", "BW-VRIJ"],
        weight: 0.06,
        delimiter: b',',
        bom: false,
    },
];

/// The index of the debt counsellor and of the work-and-income organisation.
const DEBTS: usize = 3;
const WORK: usize = 2;

impl MonitorOrganisation {
    /// The file's first bytes: the BOM if it has one, and the header line.
    pub fn header(&self) -> Vec<u8> {
        let d = self.delimiter as char;
        let mut out = Vec::with_capacity(100);
        if self.bom {
            out.extend_from_slice(b"\xEF\xBB\xBF");
        }
        out.extend_from_slice(
            format!("clientnummer{d}postcode{d}huisnummer{d}huisletter{d}toevoeging{d}buurtcode{d}domein{d}voorziening{d}periode\n")
                .as_bytes(),
        );
        out
    }
}

/// The region's households, generated one at a time until at least the requested
/// number of rows exists (a household's rows are never split, so a few more).
#[derive(Debug, Clone)]
pub struct MonitorRegion {
    rows: u64,
    target: u64,
    households: u64,
    rows_per_organisation: [u64; ORGANISATIONS.len()],
    rng: ChaCha8Rng,
}

/// A household's address and neighbourhood, derived from its index so that all are
/// distinct.
struct Home {
    digits: u32,
    letters: [u8; 2],
    number: u32,
    letter: Option<u8>,
    addition: Option<u32>,
    wijk: u32,
    buurt: u32,
}

fn home(h: u64) -> Home {
    // First letters without S, so that SA, SD and SS (not used by PostNL) never occur.
    const FIRST: &[u8; 22] = b"ABCDEFGHJKLMNPRTUVWXYZ";
    let per_postcode = 30;
    let pc = h / per_postcode;
    let l = (pc % 572) as usize;
    let n = (h % per_postcode) as u32;
    Home {
        digits: 1000 + (pc / 572) as u32 % 9000,
        letters: [FIRST[l / 26], b'A' + (l % 26) as u8],
        number: 1 + n * 2,
        letter: (n % 11 == 3).then_some(b'a' + (n % 3) as u8),
        addition: (n % 13 == 5).then_some(1 + n % 3),
        // Neighbourhoods follow postcodes: each buurt a few neighbouring postcodes.
        wijk: 1 + (pc / 211) as u32 % 40,
        buurt: 1 + (pc / 9) as u32 % 25,
    }
}

impl MonitorRegion {
    /// The most rows [`MonitorRegion::new`] accepts.
    pub const MAX_ROWS: u64 = 100_000_000;

    /// A region of at least `rows` rows (1 to [`MonitorRegion::MAX_ROWS`]) for `seed`.
    pub fn new(rows: u64, seed: u64) -> MonitorRegion {
        MonitorRegion {
            rows: 0,
            target: rows.clamp(1, Self::MAX_ROWS),
            households: 0,
            rows_per_organisation: [0; ORGANISATIONS.len()],
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// Rows generated so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Households generated so far.
    pub fn households(&self) -> u64 {
        self.households
    }

    /// Rows generated so far per organisation (file).
    pub fn rows_per_organisation(&self) -> &[u64; ORGANISATIONS.len()] {
        &self.rows_per_organisation
    }

    /// Appends the next household's rows (without header) to the buffers of the
    /// organisations that serve it. Returns `false`, adding nothing, once the region
    /// has its rows.
    pub fn next_household(&mut self, files: &mut [Vec<u8>; ORGANISATIONS.len()]) -> bool {
        if self.rows >= self.target {
            return false;
        }
        let home = home(self.households);
        self.households += 1;
        let rng = &mut self.rng;
        // How many organisations: 1 (62%), 2 (22%), 3 (9%), 4 (4%), 5-7 (3%).
        let x: f64 = rng.gen();
        let k = match x {
            x if x < 0.62 => 1,
            x if x < 0.84 => 2,
            x if x < 0.93 => 3,
            x if x < 0.97 => 4,
            _ => rng.gen_range(5..=7),
        };
        let total_weight: f64 = ORGANISATIONS.iter().map(|o| o.weight).sum();
        let mut chosen: Vec<usize> = Vec::with_capacity(k);
        while chosen.len() < k {
            let mut t = rng.gen::<f64>() * total_weight;
            let mut pick = 0;
            for (i, o) in ORGANISATIONS.iter().enumerate() {
                if t < o.weight {
                    pick = i;
                    break;
                }
                t -= o.weight;
            }
            if !chosen.contains(&pick) {
                chosen.push(pick);
            }
            // Debts come with work and income more often than not.
            if pick == DEBTS && chosen.len() < k && !chosen.contains(&WORK) && rng.gen_bool(0.5) {
                chosen.push(WORK);
            }
        }
        let letters = String::from_utf8_lossy(&home.letters).into_owned();
        let lower = letters.to_lowercase();
        let letter = home
            .letter
            .map(|c| (c as char).to_string())
            .unwrap_or_default();
        let addition = home.addition.map(|n| n.to_string()).unwrap_or_default();
        let (digits, number, wijk) = (home.digits, home.number, home.wijk);
        for &o in &chosen {
            let org = &ORGANISATIONS[o];
            let d = org.delimiter as char;
            let provisions = if rng.gen_bool(0.7) {
                1
            } else {
                rng.gen_range(2..=3)
            };
            let codes: Vec<&&str> = org.codes.choose_multiple(rng, provisions).collect();
            for code in codes {
                let months = if rng.gen_bool(0.6) {
                    1
                } else {
                    rng.gen_range(2..=4)
                };
                let start = rng.gen_range(1..=12u32);
                let domain = org.domains.choose(rng).copied().unwrap_or("overig");
                for m in 0..months {
                    // A neighbouring neighbourhood now and then.
                    let b = if rng.gen_bool(0.01) {
                        1 + home.buurt % 25
                    } else {
                        home.buurt
                    };
                    let postcode = match rng.gen_range(0..4) {
                        0 => format!("{digits}{letters}"),
                        1 => format!("{digits} {letters}"),
                        2 => format!("{digits}{lower}"),
                        _ => format!("{digits} {lower}"),
                    };
                    let client = rng.gen_range(100_000..999_999u32);
                    let month = 1 + (start + m - 1) % 12;
                    // Writing to a Vec cannot fail.
                    let _ = writeln!(
                        files[o],
                        "{client}{d}{postcode}{d}{number}{d}{letter}{d}{addition}{d}BU9999{wijk:02}{b:02}{d}{domain}{d}{code}{d}2025-{month:02}"
                    );
                    self.rows += 1;
                    self.rows_per_organisation[o] += 1;
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generate(rows: u64, seed: u64) -> (Vec<Vec<u8>>, MonitorRegion) {
        let mut region = MonitorRegion::new(rows, seed);
        let mut files: [Vec<u8>; 8] = Default::default();
        for (f, org) in files.iter_mut().zip(&ORGANISATIONS) {
            f.extend_from_slice(&org.header());
        }
        while region.next_household(&mut files) {}
        (files.to_vec(), region)
    }

    #[test]
    fn the_same_seed_gives_the_same_files_and_another_seed_others() {
        let (a, ra) = generate(5_000, 7);
        let (b, _) = generate(5_000, 7);
        let (c, _) = generate(5_000, 8);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(ra.rows() >= 5_000 && ra.rows() < 5_100, "{}", ra.rows());
        assert_eq!(ra.rows_per_organisation().iter().sum::<u64>(), ra.rows());
    }

    #[test]
    fn the_files_are_as_messy_as_real_exports() {
        let (files, region) = generate(20_000, 1);
        let text: Vec<String> = files
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        assert!(
            files.iter().any(|f| f.starts_with(b"\xEF\xBB\xBF")),
            "a BOM"
        );
        assert!(files.iter().any(|f| !f.starts_with(b"\xEF\xBB\xBF")));
        assert!(text.iter().any(|t| t.contains("clientnummer;postcode;")));
        assert!(text.iter().any(|t| t.contains("clientnummer,postcode,")));
        let all = text.concat();
        let spelled = |upper: bool, space: bool| {
            all.lines().any(|l| {
                let pc = l.split([',', ';']).nth(1).unwrap_or("");
                let letters = if space { pc.get(5..) } else { pc.get(4..) };
                pc.len() == 6 + usize::from(space)
                    && (pc.as_bytes().get(4) == Some(&b' ')) == space
                    && letters.is_some_and(|l| {
                        l.bytes().all(|b| {
                            if upper {
                                b.is_ascii_uppercase()
                            } else {
                                b.is_ascii_lowercase()
                            }
                        })
                    })
            })
        };
        for (upper, space) in [(true, false), (true, true), (false, false), (false, true)] {
            assert!(
                spelled(upper, space),
                "postcode upper={upper} space={space}"
            );
        }
        // A household reported in two neighbourhoods: the same address and
        // organisation file with two buurtcodes.
        let mut seen = std::collections::HashMap::<(usize, String), String>::new();
        let mut conflicts = 0;
        for (i, t) in text.iter().enumerate() {
            for line in t.lines().skip(1) {
                let f: Vec<&str> = line.split([',', ';']).collect();
                let address = format!(
                    "{}|{}|{}|{}",
                    f[1].replace(' ', "").to_uppercase(),
                    f[2],
                    f[3],
                    f[4]
                );
                if let Some(b) = seen.insert((i, address), f[5].to_owned()) {
                    conflicts += usize::from(b != f[5]);
                }
            }
        }
        assert!(
            conflicts > 0,
            "some households are reported in two neighbourhoods"
        );
        assert!(region.households() > 0);
    }

    #[test]
    fn most_households_get_help_from_one_organisation_and_a_tail_from_many() {
        let (files, region) = generate(50_000, 3);
        let mut orgs_per_address = std::collections::HashMap::<String, u32>::new();
        for t in &files {
            let mut seen = std::collections::HashSet::new();
            for line in String::from_utf8_lossy(t).lines().skip(1) {
                let f: Vec<&str> = line.split([',', ';']).collect();
                let address = format!(
                    "{}|{}|{}|{}",
                    f[1].replace(' ', "").to_uppercase(),
                    f[2],
                    f[3],
                    f[4]
                );
                if seen.insert(address.clone()) {
                    *orgs_per_address.entry(address).or_default() += 1;
                }
            }
        }
        assert_eq!(orgs_per_address.len() as u64, region.households());
        let share = |k: u32| {
            orgs_per_address.values().filter(|&&n| n == k).count() as f64
                / orgs_per_address.len() as f64
        };
        assert!((0.55..0.70).contains(&share(1)), "{}", share(1));
        let four_or_more = orgs_per_address.values().filter(|&&n| n >= 4).count();
        assert!(four_or_more > 0);
    }
}

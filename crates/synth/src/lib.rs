//! The synthetic municipality `GM9999` ("Proefstad"): deterministic demo data.
//!
//! Everything here is invented and visibly so: the municipality is called
//! *Proefstad (fictief)*, and every BSN comes from a range no real person gets in
//! this demo. The same seed always gives the same municipality, down to the last
//! birth date, so tests, screenshots and benchmarks are repeatable.
//!
//! Households are produced by an iterator so that a million of them can be
//! written without holding them in memory.
//!
//! Architecture invariant: like `domain`, this crate does no I/O and reads no
//! clock; the reference date is part of [`Config`].

use baken_domain::{Bsn, DistrictCode, MunicipalityCode, NeighbourhoodCode, Postcode, Role};
use chrono::{Datelike, NaiveDate};
use rand::{seq::SliceRandom, Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub mod casework;
pub mod contracting;
pub mod kaart;
pub mod kaart_large;
pub mod monitor;
mod names;

/// The password of every demo account. Demo only: `baken demo` prints it.
pub const DEMO_PASSWORD: &str = baken_domain::user::DEMO_PASSWORD;

#[derive(Debug, Clone)]
pub struct Config {
    pub households: u64,
    pub seed: u64,
    /// "Today" for ages and dates; fixed so that output does not depend on the clock.
    pub reference_date: NaiveDate,
}

impl Config {
    pub const MAX_HOUSEHOLDS: u64 = 2_000_000;

    pub fn new(households: u64, seed: u64) -> Config {
        Config {
            households,
            seed,
            reference_date: NaiveDate::from_ymd_opt(2026, 11, 1).expect("valid date"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Municipality {
    pub code: MunicipalityCode,
    pub name: String,
    pub districts: Vec<DistrictSpec>,
    pub teams: Vec<TeamSpec>,
    pub providers: Vec<ProviderSpec>,
    pub accounts: Vec<AccountSpec>,
}

#[derive(Debug, Clone)]
pub struct DistrictSpec {
    pub code: DistrictCode,
    pub name: String,
    pub neighbourhoods: Vec<NeighbourhoodSpec>,
}

#[derive(Debug, Clone)]
pub struct NeighbourhoodSpec {
    pub code: NeighbourhoodCode,
    pub name: String,
    /// First PC4 of this neighbourhood; it owns `PC4_PER_NEIGHBOURHOOD` of them.
    pub pc4_base: u32,
    /// Index over all neighbourhoods of the municipality.
    pub index: usize,
}

#[derive(Debug, Clone)]
pub struct TeamSpec {
    pub name: String,
    pub district: DistrictCode,
}

#[derive(Debug, Clone)]
pub struct ProviderSpec {
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone)]
pub struct AccountSpec {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Index into [`Municipality::teams`].
    pub team: Option<usize>,
    /// Index into [`Municipality::providers`].
    pub provider: Option<usize>,
    /// Index of the household (in generation order) this resident belongs to.
    pub household: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdSpec {
    pub index: u64,
    pub neighbourhood: NeighbourhoodCode,
    pub district: DistrictCode,
    /// Index into [`Municipality::teams`]: the team of the household's district.
    pub team: usize,
    pub street: String,
    pub house_number: u32,
    pub house_letter: Option<char>,
    pub addition: Option<String>,
    pub postcode: Postcode,
    pub city: String,
    pub residents: Vec<ResidentSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentSpec {
    pub bsn: Bsn,
    pub given_name: String,
    pub surname_prefix: Option<String>,
    pub surname: String,
    pub birth_date: NaiveDate,
}

impl ResidentSpec {
    pub fn full_name(&self) -> String {
        match &self.surname_prefix {
            Some(p) => format!("{} {} {}", self.given_name, p, self.surname),
            None => format!("{} {}", self.given_name, self.surname),
        }
    }
}

pub const CITY: &str = "Proefstad";
const PC4_PER_NEIGHBOURHOOD: u32 = 20;
const NUMBERS_PER_STREET: u32 = 300;
const SEGMENT: u32 = 20;
const PC6_PER_PC4: u32 = 600;

/// The fixed frame: districts, neighbourhoods, teams, providers, accounts.
pub fn municipality() -> Municipality {
    let code = MunicipalityCode::parse("GM9999").expect("valid code");
    let mut districts = Vec::new();
    let mut nb_index = 0usize;
    for (d, (district_name, nb_names)) in names::DISTRICTS.iter().enumerate() {
        let dcode = code
            .district(d as u8 + 1)
            .expect("district number in range");
        let neighbourhoods = nb_names
            .iter()
            .enumerate()
            .map(|(n, name)| {
                let spec = NeighbourhoodSpec {
                    code: dcode
                        .neighbourhood(n as u8 + 1)
                        .expect("neighbourhood number in range"),
                    name: (*name).to_owned(),
                    pc4_base: 1011 + nb_index as u32 * PC4_PER_NEIGHBOURHOOD,
                    index: nb_index,
                };
                nb_index += 1;
                spec
            })
            .collect();
        districts.push(DistrictSpec {
            code: dcode,
            name: (*district_name).to_owned(),
            neighbourhoods,
        });
    }
    let teams: Vec<TeamSpec> = districts
        .iter()
        .map(|d| TeamSpec {
            name: format!("Wijkteam {}", d.name),
            district: d.code.clone(),
        })
        .collect();
    let providers = names::PROVIDERS
        .iter()
        .map(|(name, kind)| ProviderSpec {
            name: (*name).to_owned(),
            kind: (*kind).to_owned(),
        })
        .collect();

    let mut accounts = vec![
        account(
            "inwoner",
            "Demo Inwoner",
            Role::Inwoner,
            None,
            None,
            Some(0),
        ),
        account(
            "vrijwilliger",
            "Demo Vrijwilliger",
            Role::Vrijwilliger,
            None,
            None,
            None,
        ),
        account(
            "makelaar",
            "Demo Makelaar",
            Role::Makelaar,
            None,
            None,
            None,
        ),
        account(
            "generalist",
            "Demo Generalist",
            Role::Generalist,
            Some(0),
            None,
            None,
        ),
        account(
            "teamleider",
            "Demo Teamleider",
            Role::Teamleider,
            Some(0),
            None,
            None,
        ),
        account(
            "aanbieder",
            "Demo Aanbieder",
            Role::Aanbieder,
            None,
            Some(0),
            None,
        ),
        account("beleid", "Demo Beleid", Role::Beleid, None, None, None),
        account(
            "beheerder",
            "Demo Beheerder",
            Role::Beheerder,
            None,
            None,
            None,
        ),
    ];
    // Teams follow districts one to one (team t serves district t).
    for (t, district) in districts.iter().enumerate().take(teams.len()).skip(1) {
        let slug = names::slug(&district.name);
        accounts.push(account(
            &format!("generalist.{slug}"),
            &format!("Demo Generalist {}", district.name),
            Role::Generalist,
            Some(t),
            None,
            None,
        ));
        accounts.push(account(
            &format!("teamleider.{slug}"),
            &format!("Demo Teamleider {}", district.name),
            Role::Teamleider,
            Some(t),
            None,
            None,
        ));
    }
    Municipality {
        code,
        name: format!("{CITY} (fictief)"),
        districts,
        teams,
        providers,
        accounts,
    }
}

fn account(
    username: &str,
    display_name: &str,
    role: Role,
    team: Option<usize>,
    provider: Option<usize>,
    household: Option<u64>,
) -> AccountSpec {
    AccountSpec {
        username: username.to_owned(),
        display_name: display_name.to_owned(),
        role,
        team,
        provider,
        household,
    }
}

impl Municipality {
    pub fn neighbourhoods(&self) -> impl Iterator<Item = (&DistrictSpec, &NeighbourhoodSpec)> {
        self.districts
            .iter()
            .flat_map(|d| d.neighbourhoods.iter().map(move |n| (d, n)))
    }

    /// The generated households, in order, for this configuration.
    pub fn households(&self, config: &Config) -> Households<'_> {
        let nbs: Vec<(usize, &DistrictSpec, &NeighbourhoodSpec)> = self
            .districts
            .iter()
            .enumerate()
            .flat_map(|(t, d)| d.neighbourhoods.iter().map(move |n| (t, d, n)))
            .collect();
        let counters = vec![0u32; nbs.len()];
        Households {
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            config: config.clone(),
            nbs,
            counters,
            next_index: 0,
            next_bsn_base: 20_000_000,
            postcode_letters: valid_letter_pairs(),
        }
    }
}

fn valid_letter_pairs() -> Vec<[u8; 2]> {
    let mut pairs = Vec::with_capacity(676);
    for a in b'A'..=b'Z' {
        for b in b'A'..=b'Z' {
            if a == b'S' && matches!(b, b'A' | b'D' | b'S') {
                continue;
            }
            pairs.push([a, b]);
        }
    }
    pairs
}

pub struct Households<'m> {
    rng: ChaCha8Rng,
    config: Config,
    nbs: Vec<(usize, &'m DistrictSpec, &'m NeighbourhoodSpec)>,
    counters: Vec<u32>,
    next_index: u64,
    next_bsn_base: u32,
    postcode_letters: Vec<[u8; 2]>,
}

impl Households<'_> {
    fn next_bsn(&mut self) -> Bsn {
        loop {
            let base = self.next_bsn_base;
            self.next_bsn_base += 1;
            if let Some(bsn) = Bsn::complete(base) {
                return bsn;
            }
        }
    }

    fn person(&mut self, surname: &(Option<&str>, &str), age_range: (u32, u32)) -> ResidentSpec {
        let given = if self.rng.gen_bool(0.5) {
            names::GIVEN_FEMALE.choose(&mut self.rng)
        } else {
            names::GIVEN_MALE.choose(&mut self.rng)
        }
        .copied()
        .unwrap_or("Sam");
        let age = self.rng.gen_range(age_range.0..=age_range.1);
        let day_of_year = self.rng.gen_range(0..365);
        let reference = self.config.reference_date;
        let year = reference.year() - age as i32 - 1;
        let birth_date = NaiveDate::from_yo_opt(year, day_of_year + 1)
            .unwrap_or_else(|| NaiveDate::from_yo_opt(year, 1).unwrap_or(reference));
        ResidentSpec {
            bsn: self.next_bsn(),
            given_name: given.to_owned(),
            surname_prefix: surname.0.map(str::to_owned),
            surname: surname.1.to_owned(),
            birth_date,
        }
    }

    fn surname(&mut self) -> (Option<&'static str>, &'static str) {
        *names::SURNAMES
            .choose(&mut self.rng)
            .unwrap_or(&(None, "Jansen"))
    }
}

impl Iterator for Households<'_> {
    type Item = HouseholdSpec;

    fn next(&mut self) -> Option<HouseholdSpec> {
        if self.next_index >= self.config.households {
            return None;
        }
        let index = self.next_index;
        self.next_index += 1;

        // The first household (the demo resident's) lives in the first district, so
        // that the demo generalist can look at it and the resident can see that.
        let nb_pos = if index == 0 {
            0
        } else {
            self.rng.gen_range(0..self.nbs.len())
        };
        let (team, district, nb) = self.nbs[nb_pos];
        let counter = self.counters[nb_pos];
        self.counters[nb_pos] += 1;

        let street_index = counter / NUMBERS_PER_STREET;
        let house_number = counter % NUMBERS_PER_STREET + 1;
        let street = names::street_name(street_index as usize, nb.index);
        let pc6_index =
            street_index * (NUMBERS_PER_STREET / SEGMENT) + (house_number - 1) / SEGMENT;
        let pc4 = nb.pc4_base + pc6_index / PC6_PER_PC4;
        let letters = self.postcode_letters[(pc6_index % PC6_PER_PC4) as usize];
        let postcode = Postcode::parse(&format!(
            "{pc4}{}{}",
            letters[0] as char, letters[1] as char
        ))
        .expect("generated postcodes are valid");
        let house_letter = self
            .rng
            .gen_bool(0.06)
            .then(|| *['A', 'B', 'C'].choose(&mut self.rng).unwrap_or(&'A'));
        let addition = (house_letter.is_none() && self.rng.gen_bool(0.04))
            .then(|| self.rng.gen_range(1..=4).to_string());

        let size = {
            let r = self.rng.gen_range(0..100);
            match r {
                0..=37 => 1,
                38..=70 => 2,
                71..=82 => 3,
                83..=94 => 4,
                95..=98 => 5,
                _ => 6,
            }
        };
        let family = self.surname();
        let mut residents = Vec::with_capacity(size);
        let adults = if size == 1 { 1 } else { 2 };
        let first_age = if size == 1 { (18, 94) } else { (24, 70) };
        residents.push(self.person(&family, first_age));
        if adults == 2 {
            let partner_name = if self.rng.gen_bool(0.7) {
                family
            } else {
                self.surname()
            };
            residents.push(self.person(&partner_name, (24, 70)));
        }
        for _ in adults..size {
            residents.push(self.person(&family, (0, 20)));
        }

        Some(HouseholdSpec {
            index,
            neighbourhood: nb.code.clone(),
            district: district.code.clone(),
            team,
            street,
            house_number,
            house_letter,
            addition,
            postcode,
            city: CITY.to_owned(),
            residents,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.config.households - self.next_index) as usize;
        (left, Some(left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_same_seed_gives_the_same_municipality() {
        let m = municipality();
        let a: Vec<_> = m.households(&Config::new(300, 7)).collect();
        let b: Vec<_> = m.households(&Config::new(300, 7)).collect();
        assert_eq!(a, b);
        let c: Vec<_> = m.households(&Config::new(300, 8)).collect();
        assert_ne!(a, c);
    }

    #[test]
    fn addresses_and_bsns_are_unique_and_valid() {
        let m = municipality();
        let mut addresses = HashSet::new();
        let mut bsns = HashSet::new();
        for h in m.households(&Config::new(20_000, 1)) {
            assert!((1..=6).contains(&h.residents.len()));
            assert!((1..=99_999).contains(&h.house_number));
            assert_eq!(h.neighbourhood.district(), h.district);
            let key = (
                h.postcode.clone(),
                h.house_number,
                h.house_letter,
                h.addition.clone(),
            );
            assert!(addresses.insert(key), "duplicate address {:?}", h.postcode);
            for r in &h.residents {
                assert!(Bsn::parse(&r.bsn.to_string()).is_ok());
                assert!(bsns.insert(r.bsn), "duplicate BSN");
                assert!(r.birth_date < NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
            }
        }
    }

    #[test]
    fn every_role_has_a_demo_account_and_every_district_a_team() {
        let m = municipality();
        for role in Role::ALL {
            assert!(m.accounts.iter().any(|a| a.role == role), "{role}");
        }
        assert_eq!(m.teams.len(), m.districts.len());
        for a in &m.accounts {
            assert!(
                baken_domain::Username::parse(&a.username).is_ok(),
                "{}",
                a.username
            );
            assert_eq!(a.role.needs_team(), a.team.is_some(), "{}", a.username);
        }
        assert!(m.name.contains("fictief"));
        assert_eq!(m.code.as_str(), "GM9999");
    }

    #[test]
    fn household_sizes_cover_one_to_six() {
        let m = municipality();
        let sizes: HashSet<usize> = m
            .households(&Config::new(5_000, 3))
            .map(|h| h.residents.len())
            .collect();
        assert_eq!(sizes, (1..=6).collect());
    }
}

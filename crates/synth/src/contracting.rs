//! The demo's commissioning: a realistic Wmo product set, one regional
//! contract (two municipalities buying together) with its quality
//! requirements and tariffs, and the providers that applied for it. Pure data;
//! `baken_store::contracting::load_demo` writes it.
//!
//! Begeleiding individueel has a new tariff from the reference date
//! (1 November 2026): three providers accepted it, one accepted only the old
//! one (so it is not offered from that date), and one has applied but holds no
//! licence yet.

/// A product: WMO020 category, product code, name, ladder step, variant
/// (`inspanningsgericht` with unit and frequency codes, `outputgericht`,
/// `taakgericht`), and its tariffs in cents from a date.
pub struct ProductSpec {
    pub category: &'static str,
    pub code: &'static str,
    pub name: &'static str,
    pub step: u8,
    pub variant: &'static str,
    pub unit: Option<&'static str>,
    pub frequency: Option<&'static str>,
    pub tariffs: &'static [(i64, &'static str)],
}

pub const PRODUCTS: &[ProductSpec] = &[
    ProductSpec {
        category: "01",
        code: "01A01",
        name: "Huishoudelijke ondersteuning: schoon en leefbaar huis",
        step: 4,
        variant: "outputgericht",
        unit: None,
        frequency: None,
        tariffs: &[(21_500, "2026-01-01")],
    },
    ProductSpec {
        category: "02",
        code: "02A01",
        name: "Begeleiding individueel",
        step: 5,
        variant: "inspanningsgericht",
        unit: Some("04"),
        frequency: Some("2"),
        tariffs: &[(6_120, "2026-01-01"), (6_340, "2026-11-01")],
    },
    ProductSpec {
        category: "02",
        code: "02A02",
        name: "Begeleiding groep",
        step: 5,
        variant: "inspanningsgericht",
        unit: Some("16"),
        frequency: Some("2"),
        tariffs: &[(4_650, "2026-01-01")],
    },
    ProductSpec {
        category: "07",
        code: "07A01",
        name: "Dagbesteding",
        step: 5,
        variant: "inspanningsgericht",
        unit: Some("16"),
        frequency: Some("2"),
        tariffs: &[(5_280, "2026-01-01")],
    },
    ProductSpec {
        category: "04",
        code: "04A01",
        name: "Kortdurend verblijf (logeren)",
        step: 5,
        variant: "inspanningsgericht",
        unit: Some("14"),
        frequency: Some("4"),
        tariffs: &[(14_900, "2026-01-01")],
    },
    ProductSpec {
        category: "13",
        code: "13A01",
        name: "Woonvoorziening (aanpassing van de woning)",
        step: 5,
        variant: "outputgericht",
        unit: None,
        frequency: None,
        tariffs: &[(100, "2026-01-01")],
    },
    ProductSpec {
        category: "14",
        code: "14A01",
        name: "Hulpmiddel (zoals een scootmobiel)",
        step: 4,
        variant: "outputgericht",
        unit: None,
        frequency: None,
        tariffs: &[(100, "2026-01-01")],
    },
    ProductSpec {
        category: "09",
        code: "09A01",
        name: "Inloop en ontmoeting in de wijk",
        step: 4,
        variant: "taakgericht",
        unit: None,
        frequency: None,
        tariffs: &[(4_500_000, "2026-01-01")],
    },
];

pub const CONTRACT_LOT: &str = "Regio Proefland: Wmo-ondersteuning 2026–2028";
pub const CONTRACT_MUNICIPALITIES: &[&str] = &["GM9999", "GM9998"];
pub const CONTRACT_FROM: &str = "2026-01-01";
pub const CONTRACT_UNTIL: &str = "2028-12-31";
pub const REQUIREMENTS: &[&str] = &[
    "HKZ-certificaat of gelijkwaardig",
    "VOG voor alle medewerkers",
    "Klachtenregeling en aansluiting bij een geschillencommissie",
    "Verwerkersovereenkomst (privacy)",
];

/// The municipality's CBS code without `GM`, iWmo's Afzender.
pub const GEMEENTECODE: &str = "9999";

/// How a provider stands with the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Licensed, every tariff accepted.
    Licensed,
    /// Licensed, but only the first tariff of each product accepted.
    OldTariffOnly,
    /// Applied; not decided yet.
    Applied,
}

/// A provider of Wmo care in the contract: name, AGB code, standing, waiting
/// time in weeks for begeleiding individueel (reported on the date given).
pub struct ContractedProvider {
    pub name: &'static str,
    pub agb_code: &'static str,
    pub standing: Standing,
    pub waiting_weeks: Option<(i64, &'static str)>,
}

pub const PROVIDERS: &[ContractedProvider] = &[
    ContractedProvider {
        name: "Begeleiding Dichtbij",
        agb_code: "42420001",
        standing: Standing::Licensed,
        waiting_weeks: Some((2, "2026-10-26")),
    },
    ContractedProvider {
        name: "Zorggroep De Linde",
        agb_code: "42420002",
        standing: Standing::Licensed,
        waiting_weeks: Some((5, "2026-10-19")),
    },
    ContractedProvider {
        name: "Stichting Op Eigen Kracht",
        agb_code: "42420003",
        standing: Standing::Licensed,
        waiting_weeks: Some((1, "2026-10-28")),
    },
    ContractedProvider {
        name: "Zorg op Maat Proefland",
        agb_code: "42420004",
        standing: Standing::OldTariffOnly,
        waiting_weeks: Some((0, "2026-10-01")),
    },
    ContractedProvider {
        name: "Thuiszorg Noorderlicht",
        agb_code: "42420005",
        standing: Standing::Applied,
        waiting_weeks: Some((0, "2026-10-30")),
    },
];

/// The team mandate every demo team gets: up to step 4 and € 500 a year.
pub const MANDATE_STEP: u8 = 4;
pub const MANDATE_CENTS: i64 = 50_000;

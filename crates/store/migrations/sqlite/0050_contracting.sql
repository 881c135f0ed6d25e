-- Commissioning (issue 12): products, contracts and tariffs, the licence to
-- operate, waiting times, team mandates, toewijzingen and iWmo traffic.

CREATE TABLE ct_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE ct_provider_codes (
    provider_id INTEGER PRIMARY KEY REFERENCES providers(id),
    agb_code TEXT NOT NULL UNIQUE
);

CREATE TABLE ct_provider_districts (
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    district_code TEXT NOT NULL REFERENCES districts(code),
    PRIMARY KEY (provider_id, district_code)
);

CREATE TABLE ct_products (
    id INTEGER PRIMARY KEY,
    category TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    step INTEGER NOT NULL CHECK (step IN (4, 5)),
    variant TEXT NOT NULL CHECK (variant IN ('inspanningsgericht', 'outputgericht', 'taakgericht')),
    unit TEXT,
    frequency TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (category, code)
);

CREATE TABLE ct_contracts (
    id INTEGER PRIMARY KEY,
    lot TEXT NOT NULL,
    municipalities TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE ct_contract_products (
    contract_id INTEGER NOT NULL REFERENCES ct_contracts(id),
    product_id INTEGER NOT NULL REFERENCES ct_products(id),
    PRIMARY KEY (contract_id, product_id)
);

CREATE TABLE ct_requirements (
    id INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL REFERENCES ct_contracts(id),
    name TEXT NOT NULL
);

-- Versions are kept: a new tariff closes the previous one (valid_until).
CREATE TABLE ct_tariffs (
    id INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL REFERENCES ct_contracts(id),
    product_id INTEGER NOT NULL REFERENCES ct_products(id),
    cents INTEGER NOT NULL CHECK (cents >= 0),
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX ct_tariffs_product ON ct_tariffs(product_id);

CREATE TABLE ct_licences (
    id INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    contract_id INTEGER NOT NULL REFERENCES ct_contracts(id),
    applied_on TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('aangevraagd', 'verleend', 'afgewezen')),
    decided_on TEXT,
    reason TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX ct_licences_provider ON ct_licences(provider_id);

CREATE TABLE ct_evidence (
    licence_id INTEGER NOT NULL REFERENCES ct_licences(id),
    requirement_id INTEGER NOT NULL REFERENCES ct_requirements(id),
    kind TEXT NOT NULL CHECK (kind IN ('verklaring', 'document')),
    text TEXT NOT NULL,
    dated TEXT NOT NULL,
    PRIMARY KEY (licence_id, requirement_id)
);

CREATE TABLE ct_tariff_acceptances (
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    tariff_id INTEGER NOT NULL REFERENCES ct_tariffs(id),
    accepted_on TEXT NOT NULL,
    PRIMARY KEY (provider_id, tariff_id)
);

CREATE TABLE ct_waiting_times (
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    product_id INTEGER NOT NULL REFERENCES ct_products(id),
    weeks INTEGER NOT NULL CHECK (weeks BETWEEN 0 AND 104),
    reported_on TEXT NOT NULL,
    PRIMARY KEY (provider_id, product_id)
);

CREATE TABLE ct_team_mandates (
    team_id INTEGER PRIMARY KEY REFERENCES teams(id),
    highest_step INTEGER NOT NULL CHECK (highest_step BETWEEN 1 AND 5),
    yearly_budget_cents INTEGER NOT NULL CHECK (yearly_budget_cents >= 0),
    version INTEGER NOT NULL DEFAULT 1
);

-- The product a referral names, and how the mandate rule judged it.
CREATE TABLE ct_referral_products (
    referral_id INTEGER PRIMARY KEY REFERENCES cw_referrals(id),
    product_id INTEGER NOT NULL REFERENCES ct_products(id),
    within_mandate BOOLEAN NOT NULL,
    mandate_note TEXT NOT NULL
);

CREATE TABLE ct_toewijzingen (
    id INTEGER PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,
    household_id INTEGER NOT NULL REFERENCES households(id),
    resident_id INTEGER NOT NULL REFERENCES residents(id),
    referral_id INTEGER REFERENCES cw_referrals(id),
    product_id INTEGER NOT NULL REFERENCES ct_products(id),
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    start_date TEXT NOT NULL,
    end_date TEXT,
    volume INTEGER,
    unit TEXT,
    frequency TEXT,
    budget_cents INTEGER,
    change_reason TEXT,
    choice TEXT NOT NULL CHECK (choice IN ('inwoner', 'geen_voorkeur', 'verzoek')),
    choice_note TEXT NOT NULL,
    started_on TEXT,
    stopped_on TEXT,
    stop_reason TEXT,
    changed_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX ct_toewijzingen_household ON ct_toewijzingen(household_id);
CREATE INDEX ct_toewijzingen_changed ON ct_toewijzingen(changed_at);

-- A provider's verzoek om toewijzing (WMO315): a task with a deadline.
CREATE TABLE ct_requests (
    id INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    message_id TEXT NOT NULL,
    reference TEXT NOT NULL,
    household_id INTEGER REFERENCES households(id),
    resident_id INTEGER REFERENCES residents(id),
    team_id INTEGER REFERENCES teams(id),
    product_id INTEGER REFERENCES ct_products(id),
    start_date TEXT NOT NULL,
    end_date TEXT,
    volume INTEGER,
    unit TEXT,
    frequency TEXT,
    received_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'toegewezen', 'afgewezen')),
    answer_code TEXT,
    answer_note TEXT,
    answered_on TEXT,
    toewijzing_id INTEGER REFERENCES ct_toewijzingen(id),
    answer_message_id TEXT,
    answer_xml TEXT
);
CREATE INDEX ct_requests_status ON ct_requests(status);

-- Every iWmo message read or written once (a message read twice is refused).
CREATE TABLE ct_iwmo_messages (
    id INTEGER PRIMARY KEY,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'uit')),
    kind TEXT NOT NULL,
    sender TEXT NOT NULL,
    identification TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (direction, kind, sender, identification)
);

-- Commissioning on results (issue 13): the social agenda's goals, commissions
-- to providers with their payment rule, versioned indicator definitions,
-- reports per period with their figures and question thread, and payments.
-- No person-level data: figures are aggregates computed at report time.

CREATE TABLE cm_goals (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    baken INTEGER NOT NULL CHECK (baken BETWEEN 1 AND 8),
    district_code TEXT REFERENCES districts(code),
    created_at TEXT NOT NULL
);

CREATE TABLE cm_commissions (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('opdracht', 'subsidie')),
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    budget_cents INTEGER NOT NULL CHECK (budget_cents > 0),
    steering TEXT NOT NULL CHECK (steering IN ('partnerschap', 'regisseur', 'producer')),
    variant TEXT NOT NULL CHECK (variant IN ('taakgericht', 'prestatie', 'resultaat')),
    chain_partners TEXT NOT NULL,
    year_plan TEXT NOT NULL,
    work_plan TEXT NOT NULL,
    fixed_bp INTEGER NOT NULL CHECK (fixed_bp BETWEEN 0 AND 10000),
    advances INTEGER NOT NULL CHECK (advances BETWEEN 1 AND 12),
    cap_cents INTEGER,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (valid_until >= valid_from)
);
CREATE INDEX cm_commissions_provider ON cm_commissions(provider_id);

CREATE TABLE cm_commission_goals (
    commission_id INTEGER NOT NULL REFERENCES cm_commissions(id),
    goal_id INTEGER NOT NULL REFERENCES cm_goals(id),
    PRIMARY KEY (commission_id, goal_id)
);

CREATE TABLE cm_indicators (
    id INTEGER PRIMARY KEY,
    commission_id INTEGER NOT NULL REFERENCES cm_commissions(id)
);
CREATE INDEX cm_indicators_commission ON cm_indicators(commission_id);

-- A definition change is a new version from a date; old versions stay.
CREATE TABLE cm_indicator_versions (
    indicator_id INTEGER NOT NULL REFERENCES cm_indicators(id),
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('effect', 'uitkomst', 'oordeel')),
    horizon_months INTEGER,
    source TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('context', 'streefwaarde', 'betaald')),
    baseline INTEGER,
    target INTEGER,
    cadence TEXT NOT NULL CHECK (cadence IN ('kwartaal', 'halfjaar', 'jaar')),
    weight_bp INTEGER NOT NULL DEFAULT 0,
    valid_from TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL,
    PRIMARY KEY (indicator_id, version)
);

CREATE TABLE cm_reports (
    id INTEGER PRIMARY KEY,
    commission_id INTEGER NOT NULL REFERENCES cm_commissions(id),
    period_from TEXT NOT NULL,
    period_until TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'ingediend', 'vragen', 'geaccepteerd')),
    narrative TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (commission_id, period_from)
);

-- One figure per indicator per report: prefilled (computed by Baken) or
-- reported by the provider with its evidence.
CREATE TABLE cm_report_values (
    report_id INTEGER NOT NULL REFERENCES cm_reports(id),
    indicator_id INTEGER NOT NULL REFERENCES cm_indicators(id),
    definition_version INTEGER NOT NULL,
    value INTEGER,
    prefilled BOOLEAN NOT NULL,
    -- Households a computed figure rests on (protected when shown).
    households INTEGER,
    evidence TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (report_id, indicator_id)
);

-- The report's history: submissions, questions, answers, acceptance.
CREATE TABLE cm_report_events (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES cm_reports(id),
    at TEXT NOT NULL,
    role TEXT NOT NULL,
    username TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('ingediend', 'vraag', 'antwoord', 'geaccepteerd')),
    text TEXT NOT NULL
);
CREATE INDEX cm_report_events_report ON cm_report_events(report_id, id);

CREATE TABLE cm_payments (
    id INTEGER PRIMARY KEY,
    commission_id INTEGER NOT NULL REFERENCES cm_commissions(id),
    kind TEXT NOT NULL CHECK (kind IN ('voorschot', 'vaststelling')),
    on_date TEXT NOT NULL,
    cents INTEGER NOT NULL,
    basis TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX cm_payments_commission ON cm_payments(commission_id, on_date);

-- Casework schema (SQLite). Keep in step with ../postgres/0002_casework.sql.
-- Casework: signals, conversations and measurements, one plan per household,
-- goals, agreements, referrals, evaluations, and the plan's history.

CREATE TABLE cw_signals (
    id INTEGER PRIMARY KEY,
    reported_on TEXT NOT NULL,
    category TEXT NOT NULL,
    urgency TEXT NOT NULL CHECK (urgency IN ('crisis', 'urgent', 'normaal')),
    description TEXT NOT NULL,
    source TEXT NOT NULL,
    reported_by INTEGER REFERENCES users(id),
    postcode TEXT NOT NULL,
    house_number INTEGER NOT NULL,
    team_id INTEGER REFERENCES teams(id),
    household_id INTEGER REFERENCES households(id),
    assigned_to INTEGER REFERENCES users(id),
    triaged_on TEXT,
    first_contact_on TEXT,
    contact_method TEXT,
    contact_outcome TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX cw_signals_team ON cw_signals(team_id, first_contact_on);
CREATE INDEX cw_signals_household ON cw_signals(household_id, reported_on);

-- One coordinating generalist per household: the primary key says so.
CREATE TABLE cw_cases (
    household_id INTEGER PRIMARY KEY REFERENCES households(id),
    coordinator_id INTEGER NOT NULL REFERENCES users(id),
    since TEXT NOT NULL
);
CREATE INDEX cw_cases_coordinator ON cw_cases(coordinator_id);

-- A measurement: ZRM scores and the participation rung on one day, taken in a
-- conversation or at an evaluation.
CREATE TABLE cw_measurements (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id),
    measured_on TEXT NOT NULL,
    rung INTEGER CHECK (rung BETWEEN 1 AND 6),
    source TEXT NOT NULL CHECK (source IN ('gesprek', 'evaluatie'))
);
CREATE INDEX cw_measurements_household ON cw_measurements(household_id, measured_on);

CREATE TABLE cw_scores (
    measurement_id INTEGER NOT NULL REFERENCES cw_measurements(id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    score TEXT NOT NULL CHECK (score IN ('1', '2', '3', '4', '5', 'nvt')),
    PRIMARY KEY (measurement_id, domain)
);

CREATE TABLE cw_conversations (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id),
    held_on TEXT NOT NULL,
    presented_question TEXT NOT NULL,
    need_differs BOOLEAN NOT NULL,
    strengths TEXT NOT NULL,
    wishes TEXT NOT NULL,
    measurement_id INTEGER NOT NULL REFERENCES cw_measurements(id),
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX cw_conversations_household ON cw_conversations(household_id);

CREATE TABLE cw_needs (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES cw_conversations(id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    need TEXT NOT NULL
);
CREATE INDEX cw_needs_conversation ON cw_needs(conversation_id);

CREATE TABLE cw_network (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES cw_conversations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    relation TEXT NOT NULL,
    can_do TEXT NOT NULL,
    will_do TEXT NOT NULL
);
CREATE INDEX cw_network_conversation ON cw_network(conversation_id);

CREATE TABLE cw_consents (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id),
    conversation_id INTEGER REFERENCES cw_conversations(id),
    organisation TEXT NOT NULL,
    provider_id INTEGER REFERENCES providers(id),
    purpose TEXT NOT NULL,
    given_on TEXT NOT NULL,
    until TEXT NOT NULL
);
CREATE INDEX cw_consents_household ON cw_consents(household_id);

CREATE TABLE cw_plans (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id),
    opened_on TEXT NOT NULL,
    opened_by INTEGER NOT NULL REFERENCES users(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'gesloten')),
    closed_on TEXT,
    close_reason TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);
-- One open plan per household, held by the database as well as the domain.
CREATE UNIQUE INDEX cw_plans_one_open ON cw_plans(household_id) WHERE status = 'open';
-- The partial index above cannot serve "every plan of a household".
CREATE INDEX cw_plans_household ON cw_plans(household_id);

CREATE TABLE cw_plan_history (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES cw_plans(id),
    at TEXT NOT NULL,
    user_id INTEGER,
    username TEXT NOT NULL,
    change TEXT NOT NULL
);
CREATE INDEX cw_plan_history_plan ON cw_plan_history(plan_id);

CREATE TABLE cw_goals (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES cw_plans(id),
    domain TEXT NOT NULL,
    description TEXT NOT NULL,
    measure TEXT NOT NULL,
    target_date TEXT NOT NULL,
    term TEXT NOT NULL,
    outcome TEXT,
    outcome_on TEXT,
    outcome_note TEXT
);
CREATE INDEX cw_goals_plan ON cw_goals(plan_id);

CREATE TABLE cw_referrals (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES cw_plans(id),
    requested_by INTEGER NOT NULL REFERENCES users(id),
    requested_on TEXT NOT NULL,
    care TEXT NOT NULL,
    reason1 TEXT NOT NULL,
    reason2 TEXT NOT NULL,
    reason3 TEXT NOT NULL,
    reason4 TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('aangevraagd', 'goedgekeurd', 'afgewezen')),
    decided_by INTEGER REFERENCES users(id),
    decided_on TEXT,
    decision_note TEXT
);
CREATE INDEX cw_referrals_plan ON cw_referrals(plan_id);
CREATE INDEX cw_referrals_status ON cw_referrals(status);

CREATE TABLE cw_agreements (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES cw_plans(id),
    goal_id INTEGER NOT NULL REFERENCES cw_goals(id),
    actor TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    provider_id INTEGER REFERENCES providers(id),
    description TEXT NOT NULL,
    step INTEGER NOT NULL CHECK (step BETWEEN 1 AND 5),
    form TEXT NOT NULL,
    frequency TEXT NOT NULL,
    start_on TEXT NOT NULL,
    end_on TEXT,
    own_contribution TEXT NOT NULL,
    reason1 TEXT,
    reason2 TEXT,
    reason3 TEXT,
    reason4 TEXT,
    referral_id INTEGER REFERENCES cw_referrals(id),
    last_evaluated_on TEXT,
    ended_on TEXT,
    created_at TEXT NOT NULL,
    -- Step 5 rests on a referral; steps 4–5 carry their reasons.
    CHECK (step < 5 OR referral_id IS NOT NULL),
    CHECK (step < 4 OR (reason1 IS NOT NULL AND reason2 IS NOT NULL AND reason3 IS NOT NULL))
);
CREATE INDEX cw_agreements_plan ON cw_agreements(plan_id);
CREATE INDEX cw_agreements_provider ON cw_agreements(provider_id);

CREATE TABLE cw_evaluations (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES cw_plans(id),
    held_on TEXT NOT NULL,
    measurement_id INTEGER REFERENCES cw_measurements(id),
    note TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id)
);
CREATE INDEX cw_evaluations_plan ON cw_evaluations(plan_id);

-- What the resident writes about their own progress.
CREATE TABLE cw_progress (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES cw_plans(id),
    at TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    note TEXT NOT NULL
);
CREATE INDEX cw_progress_plan ON cw_progress(plan_id);

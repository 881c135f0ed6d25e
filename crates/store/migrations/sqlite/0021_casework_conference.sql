-- The Eigen Kracht-conferentie as a step in the plan (SQLite). Keep in step
-- with ../postgres/0021_casework_conference.sql.
-- The request is a step-2 agreement carried out by the coordinator (so baken 2
-- counts it), covered by the household's consent for that coordinator.
CREATE TABLE cw_conferences (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES cw_plans(id),
    agreement_id INTEGER NOT NULL UNIQUE REFERENCES cw_agreements(id),
    consent_id INTEGER NOT NULL REFERENCES cw_consents(id),
    coordinator_id INTEGER NOT NULL REFERENCES providers(id),
    planned_on TEXT NOT NULL,
    held_on TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX cw_conferences_plan ON cw_conferences(plan_id);

CREATE TABLE cw_conference_invitees (
    conference_id INTEGER NOT NULL REFERENCES cw_conferences(id),
    name TEXT NOT NULL,
    relation TEXT NOT NULL,
    PRIMARY KEY (conference_id, name)
);

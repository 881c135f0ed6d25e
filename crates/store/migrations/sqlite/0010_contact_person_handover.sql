-- One contact person, really (SQLite). Keep in step with ../postgres/0010_contact_person_handover.sql.

-- Every change of a household's contact person (cw_cases.coordinator_id) with
-- its reason: the old and the new contact person and the resident see it.
CREATE TABLE cw_handovers (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id),
    from_user INTEGER NOT NULL REFERENCES users(id),
    to_user INTEGER NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL,
    handed_over_on TEXT NOT NULL,
    by_user INTEGER NOT NULL REFERENCES users(id),
    signal_id INTEGER REFERENCES cw_signals(id),
    at TEXT NOT NULL,
    CHECK (from_user <> to_user)
);
CREATE INDEX cw_handovers_household ON cw_handovers(household_id, id);

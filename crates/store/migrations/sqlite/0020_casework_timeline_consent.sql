-- Casework: contact moments, consent with a purpose, providers' reports
-- (SQLite). Keep in step with ../postgres/0020_casework_timeline_consent.sql.

-- What happened after the first contact: home visits, calls, e-mails,
-- meetings with the network. The note is the team's own.
CREATE TABLE cw_contact_moments (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id),
    held_on TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('huisbezoek', 'telefoon', 'email', 'netwerkoverleg')),
    who TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX cw_contact_moments_household ON cw_contact_moments(household_id, held_on);

-- A consent names its purpose: the agreements (or the referral) it covers,
-- and whether the network and the scores may be shared. It can be withdrawn.
ALTER TABLE cw_consents ADD COLUMN referral_id INTEGER REFERENCES cw_referrals(id);
ALTER TABLE cw_consents ADD COLUMN shares_network BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE cw_consents ADD COLUMN shares_scores BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE cw_consents ADD COLUMN withdrawn_at TEXT;
ALTER TABLE cw_consents ADD COLUMN withdrawn_by INTEGER REFERENCES users(id);
ALTER TABLE cw_consents ADD COLUMN withdrawal_reason TEXT;

CREATE TABLE cw_consent_agreements (
    consent_id INTEGER NOT NULL REFERENCES cw_consents(id),
    agreement_id INTEGER NOT NULL REFERENCES cw_agreements(id),
    PRIMARY KEY (consent_id, agreement_id)
);
CREATE INDEX cw_consent_agreements_agreement ON cw_consent_agreements(agreement_id);

-- A consent for a provider given before purposes existed covered, in effect,
-- that provider's agreements in the household: keep exactly those (never
-- another provider's).
INSERT INTO cw_consent_agreements (consent_id, agreement_id)
SELECT k.id, a.id FROM cw_consents k
JOIN cw_plans p ON p.household_id = k.household_id
JOIN cw_agreements a ON a.plan_id = p.id AND a.provider_id = k.provider_id
WHERE k.provider_id IS NOT NULL;

-- A provider's report on one of its own agreements.
CREATE TABLE cw_agreement_reports (
    id INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES cw_agreements(id),
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    kind TEXT NOT NULL CHECK (kind IN ('gestart', 'voortgang', 'afgerond')),
    reported_on TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX cw_agreement_reports_agreement ON cw_agreement_reports(agreement_id);

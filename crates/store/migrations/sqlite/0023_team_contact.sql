-- How residents reach their wijkteam (SQLite). Keep in step with
-- ../postgres/0023_team_contact.sql.

-- A team's phone number and e-mail address, set in beheer, shown to the
-- residents of its households (/mijn-plan) and on the wijzer's thank-you
-- page. Optional: a team without them shows none.
ALTER TABLE teams ADD COLUMN phone TEXT;
ALTER TABLE teams ADD COLUMN email TEXT;

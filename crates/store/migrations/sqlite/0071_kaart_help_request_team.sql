-- One hand-over, one team (issue 11): a request for help from the wijzer goes
-- to exactly one team — the one serving the resident's address, or the team of
-- the district the resident chose when the address is not known — and its
-- signal goes to the same team. Keep in step with ../postgres/0071_….
ALTER TABLE kaart_help_requests ADD COLUMN team_id INTEGER REFERENCES teams(id);

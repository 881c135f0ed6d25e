-- Closing signals and withdrawing agreements (PostgreSQL). Keep in step with
-- ../sqlite/0022_casework_closing.sql.

-- A signal the team closes (a double report, help already running via the
-- plan, nothing to do): the day, the reason and who closed it. A closed
-- signal is never triaged or contacted again.
ALTER TABLE cw_signals ADD COLUMN closed_on DATE;
ALTER TABLE cw_signals ADD COLUMN closed_reason TEXT;
ALTER TABLE cw_signals ADD COLUMN closed_by BIGINT REFERENCES users(id);

-- An agreement entered by mistake is withdrawn ("vervallen") rather than
-- ended: it is ended on that day (so it no longer runs) and keeps why.
ALTER TABLE cw_agreements ADD COLUMN withdrawal_reason TEXT;

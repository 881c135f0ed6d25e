-- Licence renewal reminders (PostgreSQL). Keep in step with ../sqlite/0051_licence_renewal_reminder.sql.
-- The day the provider's users were reminded (a notification, mailed by the
-- notification round) that the licence ends within 60 days; once per licence.
ALTER TABLE ct_licences ADD COLUMN renewal_reminded_on DATE;

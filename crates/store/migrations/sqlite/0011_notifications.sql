-- Notifications (SQLite). Keep in step with ../postgres/0011_notifications.sql.

-- Where Baken may send "er wacht iets op u" (optional; no address, no e-mail).
ALTER TABLE users ADD COLUMN email TEXT;

-- What waits for a user: a referral decided, a signal assigned, a hand-over,
-- a provider's report, a referral to decide. The text is shown only in the
-- app, behind the login; an e-mail never carries it (see the web crate's
-- notifications module).
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT,
    mailed_at TEXT
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unmailed ON notifications(id) WHERE mailed_at IS NULL;

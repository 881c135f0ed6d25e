-- Stapelingsmonitor reports made through the web app. Only the published
-- (protected) report is kept; the uploaded files are deleted after linking.
CREATE TABLE monitor_reports (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    files INTEGER NOT NULL,
    protection TEXT NOT NULL,
    households TEXT NOT NULL,
    report_json TEXT NOT NULL,
    report_html TEXT NOT NULL
);

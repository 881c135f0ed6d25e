-- Evidence as a document (issue 12, item 6): the uploaded file itself, kept in
-- the database beside its ct_evidence row (kind 'document', text = file name),
-- so it is written in the application's one transaction, backed up with
-- everything else, and never served from a path on disk.
CREATE TABLE ct_evidence_files (
    licence_id BIGINT NOT NULL,
    requirement_id BIGINT NOT NULL,
    content_type TEXT NOT NULL
        CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    size_bytes BIGINT NOT NULL CHECK (size_bytes BETWEEN 1 AND 5242880),
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL,
    PRIMARY KEY (licence_id, requirement_id),
    FOREIGN KEY (licence_id, requirement_id) REFERENCES ct_evidence(licence_id, requirement_id)
);

-- The public forms' rate limits count a client's recent entries for one route
-- (casework::public_reports_since, kaart::help_requests_from). Without this
-- index that count reads the whole audit log, which grows with every page view;
-- with it, it reads only that client's entries for that route.
CREATE INDEX audit_client_route ON audit_log(client_addr, route, at);

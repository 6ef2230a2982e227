ALTER TABLE request_log ADD COLUMN request_size BIGINT;
ALTER TABLE request_log ADD COLUMN request_sha256 TEXT;
ALTER TABLE request_log ADD COLUMN response_size BIGINT;
ALTER TABLE request_log ADD COLUMN response_sha256 TEXT;
ALTER TABLE callback_refusals ADD COLUMN body_size BIGINT;
ALTER TABLE callback_refusals ADD COLUMN body_sha256 TEXT;
CREATE INDEX request_log_by_time ON request_log (sent_at);
CREATE INDEX callback_refusals_by_time ON callback_refusals (at);
CREATE INDEX conformance_warnings_by_time ON conformance_warnings (last_at)

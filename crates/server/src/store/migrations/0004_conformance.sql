CREATE TABLE callback_refusals (
    resto_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    path TEXT NOT NULL,
    rid TEXT,
    status BIGINT NOT NULL,
    err_code TEXT NOT NULL,
    err_text TEXT NOT NULL,
    field_errors TEXT NOT NULL,
    signature TEXT,
    body TEXT NOT NULL,
    body_truncated BIGINT NOT NULL,
    PRIMARY KEY (resto_id, seq)
);
CREATE TABLE conformance_warnings (
    resto_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    kind TEXT NOT NULL,
    field TEXT NOT NULL,
    message TEXT NOT NULL,
    body TEXT NOT NULL,
    first_at BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (resto_id, operation, kind, field)
)

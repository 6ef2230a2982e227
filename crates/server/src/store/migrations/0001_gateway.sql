CREATE TABLE restaurants (
    resto_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    signing_key TEXT NOT NULL,
    previous_signing_key TEXT,
    previous_valid_until BIGINT,
    settings TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE pos_snapshots (
    resto_id TEXT NOT NULL REFERENCES restaurants (resto_id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    refreshed_at BIGINT NOT NULL,
    PRIMARY KEY (resto_id, kind)
);
CREATE TABLE cached_orders (
    resto_id TEXT NOT NULL REFERENCES restaurants (resto_id),
    bill_id TEXT NOT NULL,
    table_number TEXT,
    summary TEXT NOT NULL,
    full_order TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (resto_id, bill_id)
);
CREATE TABLE orders_cache_pushes (
    resto_id TEXT PRIMARY KEY REFERENCES restaurants (resto_id),
    pushed_at BIGINT NOT NULL
);
CREATE TABLE closed_orders (
    resto_id TEXT NOT NULL REFERENCES restaurants (resto_id),
    bill_id TEXT NOT NULL,
    closed_at TEXT,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (resto_id, bill_id)
);
CREATE TABLE request_log (
    rid TEXT PRIMARY KEY,
    resto_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    finished_at BIGINT,
    latency_ms BIGINT,
    outcome TEXT NOT NULL,
    request_body TEXT NOT NULL,
    response_body TEXT,
    detail TEXT
);
CREATE INDEX request_log_by_restaurant ON request_log (resto_id, sent_at);
CREATE TABLE server_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
)

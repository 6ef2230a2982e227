CREATE TABLE panel_users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    resto_id TEXT REFERENCES restaurants (resto_id),
    created_at BIGINT NOT NULL
);
CREATE TABLE panel_sessions (
    token_hash TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES panel_users (name),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX panel_sessions_by_expiry ON panel_sessions (expires_at);
CREATE TABLE panel_sign_in_failures (
    name TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    locked_until BIGINT
);
CREATE TABLE guest_settings (
    resto_id TEXT PRIMARY KEY REFERENCES restaurants (resto_id),
    tip_percents TEXT NOT NULL,
    split_enabled BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
)

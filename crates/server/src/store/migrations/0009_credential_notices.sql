CREATE TABLE credential_notices (
    id TEXT PRIMARY KEY,
    resto_id TEXT NOT NULL REFERENCES restaurants (resto_id),
    shown_to TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    previous_valid_until BIGINT,
    created_at BIGINT NOT NULL
)

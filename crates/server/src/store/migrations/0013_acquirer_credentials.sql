CREATE TABLE acquirer_credentials (
    resto_id TEXT NOT NULL REFERENCES restaurants (resto_id),
    kind TEXT NOT NULL,
    credentials_sealed TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (resto_id, kind)
)

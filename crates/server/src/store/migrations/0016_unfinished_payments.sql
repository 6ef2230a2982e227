ALTER TABLE payments ADD COLUMN awaiting_guest BIGINT;
ALTER TABLE payments ADD COLUMN asked_at BIGINT;
CREATE TABLE acquirer_refusals (
    resto_id TEXT NOT NULL REFERENCES restaurants (resto_id),
    kind TEXT NOT NULL,
    since BIGINT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (resto_id, kind)
)

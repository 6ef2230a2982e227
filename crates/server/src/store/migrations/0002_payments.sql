CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    resto_id TEXT NOT NULL REFERENCES restaurants (resto_id),
    bill_id TEXT NOT NULL,
    table_number TEXT,
    idempotency_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    bill_lock TEXT UNIQUE,
    sum_kop BIGINT NOT NULL,
    tips_kop BIGINT NOT NULL,
    acquirer TEXT NOT NULL,
    acquirer_ref TEXT,
    checkout_url TEXT,
    receipt TEXT NOT NULL,
    fiscal TEXT,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX payments_by_restaurant ON payments (resto_id, created_at);
CREATE INDEX payments_by_status ON payments (status, next_attempt_at);
CREATE TABLE payment_transitions (
    payment_id TEXT NOT NULL REFERENCES payments (id),
    seq BIGINT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    at BIGINT NOT NULL,
    note TEXT,
    PRIMARY KEY (payment_id, seq)
);
CREATE TABLE sandbox_charges (
    reference TEXT PRIMARY KEY,
    amount_kop BIGINT NOT NULL,
    description TEXT NOT NULL,
    return_url TEXT NOT NULL,
    status TEXT NOT NULL,
    card_mask TEXT,
    approval_code TEXT,
    rrn TEXT,
    refunded_kop BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
)

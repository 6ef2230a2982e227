CREATE TABLE restaurant_acquirers (
    resto_id TEXT PRIMARY KEY REFERENCES restaurants (resto_id),
    kind TEXT NOT NULL,
    token_sealed TEXT,
    merchant_name TEXT,
    updated_at BIGINT NOT NULL
);
CREATE TABLE acquirer_invoices (
    payment_id TEXT PRIMARY KEY REFERENCES payments (id),
    acquirer TEXT NOT NULL,
    invoice_id TEXT NOT NULL,
    last_status TEXT,
    last_modified_ms BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE payment_refunds (
    ext_ref TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES payments (id),
    amount_kop BIGINT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX payment_refunds_by_payment ON payment_refunds (payment_id)

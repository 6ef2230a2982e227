ALTER TABLE guest_settings ADD COLUMN ordering_enabled BIGINT;
CREATE TABLE guest_orders (
    id TEXT PRIMARY KEY,
    resto_id TEXT NOT NULL,
    table_number TEXT NOT NULL,
    browser TEXT NOT NULL,
    cart_lines TEXT NOT NULL,
    status TEXT NOT NULL,
    cart_sum BIGINT,
    pos_order_id TEXT,
    pos_order_number BIGINT,
    result_sum BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX guest_orders_by_restaurant ON guest_orders (resto_id, created_at);
CREATE INDEX guest_orders_by_browser ON guest_orders (resto_id, table_number, browser, status)

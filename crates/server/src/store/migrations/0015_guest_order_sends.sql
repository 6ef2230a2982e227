ALTER TABLE guest_orders ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE guest_orders ADD COLUMN reviewed_version BIGINT;
ALTER TABLE guest_orders ADD COLUMN pos_table_id TEXT;
ALTER TABLE guest_orders ADD COLUMN send_node TEXT;
ALTER TABLE guest_orders ADD COLUMN send_token TEXT;
ALTER TABLE guest_orders ADD COLUMN send_until BIGINT;
CREATE INDEX guest_orders_by_status ON guest_orders (status, updated_at);
DELETE FROM guest_orders WHERE status = 'cart' AND EXISTS (
    SELECT 1 FROM guest_orders newer
    WHERE newer.status = 'cart' AND newer.resto_id = guest_orders.resto_id
      AND newer.table_number = guest_orders.table_number AND newer.browser = guest_orders.browser
      AND (newer.created_at > guest_orders.created_at
           OR (newer.created_at = guest_orders.created_at AND newer.id > guest_orders.id))
);
CREATE UNIQUE INDEX guest_orders_one_open_cart ON guest_orders (resto_id, table_number, browser) WHERE status = 'cart'

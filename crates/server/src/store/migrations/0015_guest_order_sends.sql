-- Guest orders: the cart's version (a compare-and-set on every change), the version the POS
-- found makeable, the POS's table id kept for every send, and the lease on sending it. Then one
-- open cart per browser at a table: older duplicates (unreachable: only the newest was ever
-- read) are deleted first, so the unique index can be made.
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

ALTER TABLE payments ADD COLUMN payer TEXT;
ALTER TABLE payments ADD COLUMN active_at BIGINT;
ALTER TABLE payments ADD COLUMN rating BIGINT;
ALTER TABLE guest_settings ADD COLUMN time_zone TEXT;
ALTER TABLE guest_settings ADD COLUMN review_url TEXT

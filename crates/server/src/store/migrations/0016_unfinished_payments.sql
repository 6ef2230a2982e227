ALTER TABLE payments ADD COLUMN awaiting_guest BIGINT;
ALTER TABLE payments ADD COLUMN asked_at BIGINT;
ALTER TABLE acquirer_credentials ADD COLUMN refused_at BIGINT;
ALTER TABLE acquirer_credentials ADD COLUMN refused_reason TEXT

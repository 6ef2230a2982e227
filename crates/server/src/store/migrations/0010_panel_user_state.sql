ALTER TABLE panel_users ADD COLUMN deactivated_at BIGINT

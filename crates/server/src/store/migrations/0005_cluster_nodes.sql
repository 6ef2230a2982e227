CREATE TABLE cluster_nodes (
    name TEXT PRIMARY KEY,
    has_bus BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    seen_at BIGINT NOT NULL
);
ALTER TABLE payments ADD COLUMN lease_node TEXT;
ALTER TABLE payments ADD COLUMN lease_until BIGINT

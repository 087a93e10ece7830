-- Orders belong to a user; the foreign key keeps orphans out.
-- dbshift:up
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    total_cents INTEGER NOT NULL CHECK (total_cents >= 0),
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX orders_user_id_idx ON orders (user_id);

-- dbshift:down
DROP INDEX orders_user_id_idx;
DROP TABLE orders;

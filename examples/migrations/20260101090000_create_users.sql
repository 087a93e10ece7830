-- Users of the demo shop. Every later migration builds on this table.
-- dbshift:up
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    email VARCHAR(255) NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- dbshift:down
DROP TABLE users;

-- An index on an existing table blocks writes while it builds; on a table
-- created in the same migration it is harmless.
-- dbshift:up
CREATE TABLE sessions (id bigint PRIMARY KEY, user_id bigint NOT NULL);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX users_email ON users (email);
-- dbshift:down
DROP INDEX users_email;
DROP TABLE sessions;

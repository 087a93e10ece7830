-- SQLite cannot alter a column in place: the documented rebuild.
-- dbshift:up
PRAGMA foreign_keys = OFF;
CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
INSERT INTO users_new (id, email) SELECT id, email FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_email ON users (email);
-- dbshift:down
DROP INDEX users_email;

-- Logins look users up by email, and two accounts must not share one.
-- dbshift:up
CREATE UNIQUE INDEX users_email_idx ON users (email);

-- dbshift:down
DROP INDEX users_email_idx;

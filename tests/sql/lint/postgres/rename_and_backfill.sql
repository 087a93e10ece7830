-- dbshift:up
ALTER TABLE users RENAME COLUMN name TO full_name;
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
UPDATE users SET full_name = trim(full_name);
CREATE ROLE reporting LOGIN PASSWORD 'hunter2';

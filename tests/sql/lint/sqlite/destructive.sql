-- dbshift:up
ALTER TABLE entries ADD COLUMN kcal INTEGER NOT NULL;
ALTER TABLE entries DROP COLUMN legacy;
DELETE FROM entries;
UPDATE entries SET kcal = 0 WHERE kcal IS NULL;
-- dbshift:down
ALTER TABLE entries DROP COLUMN kcal;

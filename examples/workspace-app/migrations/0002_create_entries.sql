-- Release 1: the diary, one row per food eaten. eaten_at is local time as
-- 'YYYY-MM-DD HH:MM', which sorts and groups by day as text.
-- dbshift:up
CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    food_id INTEGER NOT NULL REFERENCES foods (id),
    eaten_at TEXT NOT NULL,
    grams REAL NOT NULL CHECK (grams > 0)
);
CREATE INDEX entries_eaten_at_idx ON entries (eaten_at);

-- dbshift:down
DROP TABLE entries;

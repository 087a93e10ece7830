-- Release 3: entries belong to a meal. Existing entries get the meal their
-- time of day suggests, which rewrites every diary row: on a big workspace
-- this is the long step of the upgrade.
-- dbshift:up
ALTER TABLE entries ADD COLUMN meal TEXT NOT NULL DEFAULT 'snack'
    CHECK (meal IN ('breakfast', 'lunch', 'dinner', 'snack'));
-- dbshift:allow DS007 one user, no concurrent writer: one pass over every row is quickest
UPDATE entries
   SET meal = CASE
       WHEN substr(eaten_at, 12, 2) BETWEEN '05' AND '10' THEN 'breakfast'
       WHEN substr(eaten_at, 12, 2) BETWEEN '11' AND '14' THEN 'lunch'
       WHEN substr(eaten_at, 12, 2) BETWEEN '17' AND '21' THEN 'dinner'
       ELSE 'snack'
   END;

-- dbshift:down
ALTER TABLE entries DROP COLUMN meal;

-- Release 4: a food may exist once per name and brand. Duplicates that
-- earlier releases allowed are merged into the oldest one and their diary
-- entries moved to it, so no entry is lost; the merge cannot be undone, so
-- the user is asked first.
-- dbshift:confirm "foods with the same name and brand are merged into one; diary entries move to the food kept"
-- dbshift:irreversible
-- dbshift:up
CREATE TEMP TABLE food_merge AS
SELECT f.id AS old_id, k.keep_id
  FROM foods f
  JOIN (SELECT name, coalesce(brand, '') AS brand_key, min(id) AS keep_id
          FROM foods
         GROUP BY name, coalesce(brand, '')) k
    ON k.name = f.name AND k.brand_key = coalesce(f.brand, '')
 WHERE f.id <> k.keep_id;
UPDATE entries
   SET food_id = (SELECT keep_id FROM food_merge WHERE old_id = entries.food_id)
 WHERE food_id IN (SELECT old_id FROM food_merge);
DELETE FROM foods WHERE id IN (SELECT old_id FROM food_merge);
DROP TABLE food_merge;
CREATE UNIQUE INDEX foods_name_brand_idx ON foods (name, coalesce(brand, ''));

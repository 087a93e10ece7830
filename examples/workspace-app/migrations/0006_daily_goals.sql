-- Release 5: a daily energy goal, and the totals it is compared with.
-- dbshift:up
CREATE TABLE daily_goals (
    day TEXT PRIMARY KEY,
    kcal REAL NOT NULL CHECK (kcal > 0)
);
CREATE VIEW daily_totals AS
SELECT substr(e.eaten_at, 1, 10) AS day,
       round(sum(e.grams * f.kcal_per_100g / 100.0), 1) AS kcal
  FROM entries e
  JOIN foods f ON f.id = e.food_id
 GROUP BY substr(e.eaten_at, 1, 10);

-- dbshift:down
DROP VIEW daily_totals;
DROP TABLE daily_goals;

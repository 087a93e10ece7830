-- Release 1: the foods a user logs, with their energy per 100 g. This
-- release kept the brand inside the name, e.g. "Oat drink (Oatly)".
-- dbshift:up
CREATE TABLE foods (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kcal_per_100g REAL NOT NULL CHECK (kcal_per_100g >= 0)
);

-- dbshift:down
DROP TABLE foods;

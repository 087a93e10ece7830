-- Release 2: the brand gets its own column so foods can be searched and
-- grouped by it. Names written by release 1 as "Name (Brand)" are split;
-- names without a trailing "(...)" keep no brand.
-- dbshift:up
ALTER TABLE foods ADD COLUMN brand TEXT;
UPDATE foods
   SET brand = trim(substr(name, instr(name, '(') + 1, length(name) - instr(name, '(') - 1)),
       name = trim(substr(name, 1, instr(name, '(') - 1))
 WHERE name LIKE '_%(%)';

-- dbshift:down
UPDATE foods SET name = name || ' (' || brand || ')' WHERE brand IS NOT NULL;
ALTER TABLE foods DROP COLUMN brand;

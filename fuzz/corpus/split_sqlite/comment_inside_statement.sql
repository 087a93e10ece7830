SELECT 1 -- note ; not a split
, 2;
SELECT /* ; */ 3;

SELECT 4/2 - -1, 3-2, x'00ff', 1e3;
SELECT 'a' || '--not a comment' || '/*nor this*/';
SELECT ?1, :name, @v, $w, 7 % 2
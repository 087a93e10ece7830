DELIMITER $$
SELECT '$$' $$
SELECT "a$$b", `c$$d`$$
DELIMITER ;

CREATE TABLE `we;ird` (`co``l;` INT);
SELECT `co``l;` FROM `we;ird`;

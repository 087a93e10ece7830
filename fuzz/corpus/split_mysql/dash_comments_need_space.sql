-- a real comment; yes
SELECT 1--1;
SELECT 2 --	comment; here
;
SELECT 3 -- end
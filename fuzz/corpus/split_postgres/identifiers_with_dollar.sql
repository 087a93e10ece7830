SELECT a$b$c, $1 FROM t$x;
SELECT 2;

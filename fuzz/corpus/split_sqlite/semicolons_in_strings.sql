CREATE TABLE t (a TEXT, b TEXT);
INSERT INTO t VALUES ('a;b', 'it''s; fine');
INSERT INTO t VALUES (';', '''');

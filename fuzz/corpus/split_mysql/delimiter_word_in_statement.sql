SELECT delimiter FROM t;
CREATE TABLE delimiter_log (id INT);

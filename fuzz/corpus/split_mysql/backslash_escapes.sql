INSERT INTO t VALUES ('it\'s; ok', "say \"hi;\"", 'back\\');
INSERT INTO t VALUES ('x''y;', "a""b;");

SELECT 1;
INSERT INTO t VALUES (1,
  'never closed; SELECT 2;

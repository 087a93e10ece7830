SELECT /*+ MAX_EXECUTION_TIME(1000) */ a - -b, c/2, d#e
FROM t;
SELECT x->>'$.a;b' FROM j;

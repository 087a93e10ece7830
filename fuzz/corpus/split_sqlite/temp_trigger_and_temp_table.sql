CREATE TEMP TABLE tt (x);
create temporary trigger if not exists tr after insert on tt begin delete from tt; end;
CREATE TEMPORARY TABLE t2 (y);

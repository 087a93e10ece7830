CREATE FUNCTION g() RETURNS text LANGUAGE plpgsql AS $body$
BEGIN
  RETURN $inner$ a; $$ b; $inner$;
END;
$body$;
SELECT $x$;$x$, $1;

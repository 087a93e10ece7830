DO $$
DECLARE n int;
BEGIN
  SELECT count(*) INTO n FROM pg_class;
  IF n > 0 THEN RAISE NOTICE '%; done', n; END IF;
END
$$;
DO LANGUAGE plpgsql $do$ BEGIN PERFORM 1; END $do$;

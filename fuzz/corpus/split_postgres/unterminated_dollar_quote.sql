SELECT 1;

DO $tag$ BEGIN NULL; END $tog$;

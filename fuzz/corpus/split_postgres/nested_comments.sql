/* outer /* inner; */ still; comment */ SELECT 1;
SELECT 2 /* a /* b */ c; */ + 1;
-- trailing; comment

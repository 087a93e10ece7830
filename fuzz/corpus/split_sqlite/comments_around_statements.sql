-- leading comment; with a semicolon
/* block; comment
   over lines */
CREATE TABLE c (x INT); -- trailing; comment
/* between; */ INSERT INTO c VALUES (1) /* before the semicolon */ ;
-- last comment, no statement;

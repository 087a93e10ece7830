# nothing
-- nothing; here
/* nope; */

-- migration header; with semicolon

/* block */
  CREATE TABLE c (x int); -- after
	/* before second */ ALTER TABLE c ADD COLUMN y int /* tail */ ;

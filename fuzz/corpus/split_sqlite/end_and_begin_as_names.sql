CREATE TABLE span (begin INT, end INT);
CREATE TRIGGER span_upd AFTER UPDATE OF end ON span
BEGIN
  UPDATE span SET begin = end WHERE end < begin;
END;
SELECT begin, end FROM span;

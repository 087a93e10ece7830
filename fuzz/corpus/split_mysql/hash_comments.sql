# setup; first
CREATE TABLE h (x INT); # trailing; comment
#only
INSERT INTO h VALUES (1);

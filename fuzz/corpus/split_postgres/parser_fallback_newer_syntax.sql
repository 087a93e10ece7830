SELECT 1;
frobnicate the; widgets;
CREATE TABLE x (id int);

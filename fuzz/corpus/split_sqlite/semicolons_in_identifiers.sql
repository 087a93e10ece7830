CREATE TABLE "we;ird" ("co""l;" TEXT, [br;acket] INT, `back;tick` INT);
SELECT "co""l;", [br;acket], `back;tick` FROM "we;ird";

CREATE TABLE "we;ird" ("co""l;" int);
SELECT "co""l;" FROM "we;ird";

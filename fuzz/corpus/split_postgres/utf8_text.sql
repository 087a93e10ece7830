CREATE TABLE "ünï;cödé" (naïve text);
INSERT INTO "ünï;cödé" VALUES ('héllo; wörld ✓');

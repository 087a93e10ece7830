CREATE TABLE "ünï;cödé" (naïve TEXT);
INSERT INTO "ünï;cödé" VALUES ('héllo; wörld – ✓');
/* ✓; */ SELECT naïve FROM "ünï;cödé";

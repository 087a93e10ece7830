INSERT INTO `ünï;cödé` VALUES ('héllo; wörld ✓');
SELECT naïve FROM t;
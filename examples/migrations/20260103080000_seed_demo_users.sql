-- A few rows so the demo has something to show; the down removes exactly these.
-- dbshift:up
INSERT INTO users (id, name, email) VALUES
    (1, 'Ada', 'ada@example.com'),
    (2, 'Grace', 'grace@example.com');
INSERT INTO orders (id, user_id, total_cents) VALUES (1, 1, 4200);

-- dbshift:down
DELETE FROM orders WHERE id = 1;
DELETE FROM users WHERE id IN (1, 2);

-- dbshift:up
SET lock_timeout = '2s';
-- PostgreSQL 17: the 15 grammar cannot read it, lint must not block it.
MERGE INTO stock s USING deliveries d ON s.item = d.item
WHEN MATCHED THEN UPDATE SET qty = s.qty + d.qty
RETURNING merge_action(), s.*;
TRUNCATE audit_log;
-- dbshift:irreversible

-- Cheaper writes to the delivery queue (issue 14). Every claim and every
-- recorded outcome changes a delivery's status, so neither update can be
-- HOT (status is in the due and leased indexes' predicates): each writes an
-- entry in every index whose predicate the new row meets.
--
-- One index on (alert_id, webhook_id) does the work of two: the plain index
-- on alert_id (a summary's, the history's and the alert cascade's look-ups)
-- and the unique one per alert and live webhook. Unique with NULLs distinct,
-- it still allows any number of rows without a webhook (emails, and deleted
-- webhooks' history), as the partial index did.
CREATE UNIQUE INDEX IF NOT EXISTS alert_deliveries_alert_webhook
  ON alert_deliveries(alert_id, webhook_id);
DROP INDEX IF EXISTS alert_deliveries_one_per_webhook;
DROP INDEX IF EXISTS idx_alert_deliveries_alert;

-- The leased index serves the claim's takeover of sends whose lease ran out
-- (`lease_until < now`, which implies the new predicate). A recording or a
-- hand-back names its rows by id and checks `status = 'sending'`; with the
-- old predicate the planner, whose statistics were mostly taken while
-- little was in flight, read every send in flight through this index to
-- find the batch's few. Now only the primary key serves them.
DROP INDEX IF EXISTS idx_alert_deliveries_leased;
CREATE INDEX IF NOT EXISTS idx_alert_deliveries_leased
  ON alert_deliveries(lease_until) WHERE status = 'sending' AND lease_until IS NOT NULL;

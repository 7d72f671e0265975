-- alert_deliveries is the delivery queue (DESIGN.md §7): workers claim due
-- rows (pending, deferred or retrying, next_attempt_at <= now) with
-- FOR UPDATE SKIP LOCKED, and take over sends whose lease ran out. pg-boss
-- no longer carries a job per delivery.
--
-- Upgrade: a pending row used to wait for its pg-boss job with
-- next_attempt_at null; from now on next_attempt_at is when it is due, so
-- those rows become due at once. Their old pg-boss jobs are deleted at
-- start-up (lib/queue/queue.ts, discardLegacyDeliveryQueue) rather than run:
-- the row, not the job, says whether a delivery still has to be sent, so
-- nothing is lost, and a row an old worker is sending stays leased, so
-- nothing is sent twice.
UPDATE alert_deliveries SET next_attempt_at = created_at
WHERE status = 'pending' AND next_attempt_at IS NULL;

DROP INDEX IF EXISTS idx_alert_deliveries_due;
CREATE INDEX IF NOT EXISTS idx_alert_deliveries_due
  ON alert_deliveries(next_attempt_at) WHERE status IN ('pending', 'deferred', 'retrying');
CREATE INDEX IF NOT EXISTS idx_alert_deliveries_leased
  ON alert_deliveries(lease_until) WHERE status = 'sending';

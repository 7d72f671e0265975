-- Retention deletes closed group batches oldest first (`closed_at < cutoff
-- order by closed_at limit n`, in short batches, lib/alerts/retention.ts).
-- Without an index each batch read the whole table. Open batches (closed_at
-- null) are found by the (user_id, group_key) index and are never deleted,
-- so this one holds closed batches only: a batch is written here once, when
-- it closes.
CREATE INDEX IF NOT EXISTS idx_alert_group_batches_closed
  ON alert_group_batches(closed_at) WHERE closed_at IS NOT NULL;

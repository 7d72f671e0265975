-- Retention (ALERTS_RETENTION_DAYS) and deleting a user.
--
-- The daily retention pass deletes old rows in bounded batches; each batch
-- picks its oldest rows by time, so each table it prunes has an index on
-- that time (without one, every batch would scan past the dead rows of the
-- batches before it).
CREATE INDEX IF NOT EXISTS idx_alert_history_created ON alert_history(created_at);
CREATE INDEX IF NOT EXISTS idx_alert_deliveries_created ON alert_deliveries(created_at);
CREATE INDEX IF NOT EXISTS idx_alert_events_processed
  ON alert_events(received_at) WHERE processed_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_alert_dedupe_claimed ON alert_dedupe(claimed_at);
CREATE INDEX IF NOT EXISTS idx_report_runs_created ON report_runs(created_at);
CREATE INDEX IF NOT EXISTS idx_training_job_progress_at ON training_job_progress(at);
-- Deleting an alert sets the alert_id of its event and report run to NULL
-- (ON DELETE SET NULL): without these, each deleted alert — by retention or
-- with its user — would scan the whole inbox.
CREATE INDEX IF NOT EXISTS idx_alert_events_alert ON alert_events(alert_id) WHERE alert_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_report_runs_alert ON report_runs(alert_id) WHERE alert_id IS NOT NULL;

-- Deleting an auth.users row removes everything of the user's (the seed's
-- ON DELETE CASCADE). The inbox and the dedupe claims had no foreign key:
-- the inbox stored an event before its user was provisioned. The events
-- route now provisions the user in the same statement (standalone), so
-- both can reference auth.users like every other table.
--
-- NOT VALID: rows written before this migration are not checked (an event
-- for an id that never became a user stays until retention removes it), so
-- the migration takes no long lock on a large inbox; new rows are checked,
-- and the cascade applies to all rows alike.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'alert_events_user_id_fkey') THEN
    ALTER TABLE alert_events ADD CONSTRAINT alert_events_user_id_fkey
      FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE NOT VALID;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'alert_dedupe_user_id_fkey') THEN
    ALTER TABLE alert_dedupe ADD CONSTRAINT alert_dedupe_user_id_fkey
      FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE NOT VALID;
  END IF;
END $$;
-- (The cascade finds a user's rows by the indexes that lead with user_id:
-- idx_alert_events_user_job and alert_dedupe's primary key.)


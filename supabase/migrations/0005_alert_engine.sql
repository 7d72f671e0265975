-- What the alert engine needs beyond the tables of 0003: processing state on
-- the inbox, dedupe claims, and delivery leases.

ALTER TABLE alert_events ADD COLUMN IF NOT EXISTS attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE alert_events ADD COLUMN IF NOT EXISTS last_error TEXT;

-- One row per thing that may alert only once (a job's job_completed, a job's
-- OOM, a stall, a disk path for 6 hours). Inserting the key is the claim; an
-- expired claim may be taken again.
CREATE TABLE IF NOT EXISTS alert_dedupe (
  user_id UUID NOT NULL,
  key TEXT NOT NULL,
  event_id UUID NOT NULL,
  claimed_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  expires_at TIMESTAMPTZ,
  PRIMARY KEY (user_id, key)
);
ALTER TABLE alert_dedupe ENABLE ROW LEVEL SECURITY;
GRANT ALL ON alert_dedupe TO service_role;

-- Deliveries: the job that carries an attempt, and a lease while it is sent.
--   status: pending | deferred | retrying | sending | delivered | failed | skipped | suppressed
ALTER TABLE alert_deliveries ADD COLUMN IF NOT EXISTS lease_until TIMESTAMPTZ;
ALTER TABLE alert_deliveries ADD COLUMN IF NOT EXISTS webhook_message_id TEXT;
ALTER TABLE alert_deliveries ADD COLUMN IF NOT EXISTS last_duration_ms INTEGER;
CREATE INDEX IF NOT EXISTS idx_alert_deliveries_due
  ON alert_deliveries(next_attempt_at) WHERE status IN ('deferred', 'retrying');
CREATE INDEX IF NOT EXISTS idx_alert_deliveries_alert ON alert_deliveries(alert_id);

-- Rate limiting counts a user's alerts in the last hour.
CREATE INDEX IF NOT EXISTS idx_alert_history_user_type_created
  ON alert_history(user_id, alert_type, created_at DESC);

-- Wake workers when the trigger path records an event (delivered at commit).
CREATE OR REPLACE FUNCTION training_jobs_record_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  event_type TEXT;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status THEN
    RETURN NEW;
  END IF;
  event_type := CASE NEW.status
    WHEN 'running' THEN 'job_started'
    WHEN 'completed' THEN 'job_completed'
    WHEN 'failed' THEN 'job_failed'
    WHEN 'cancelled' THEN 'job_cancelled'
  END;
  IF event_type IS NULL THEN
    RETURN NEW;
  END IF;
  INSERT INTO alert_events (idempotency_key, type, user_id, job_id, occurred_at, data, source)
  VALUES (
    'job:' || NEW.id || ':' || event_type,
    event_type,
    NEW.user_id,
    NEW.id,
    NOW(),
    jsonb_strip_nulls(jsonb_build_object(
      'model_name', NEW.model_name,
      'duration_seconds', CASE WHEN NEW.finished_at IS NOT NULL AND NEW.started_at IS NOT NULL
        THEN round(extract(epoch FROM NEW.finished_at - NEW.started_at)) END,
      'final_loss', CASE WHEN event_type <> 'job_started' THEN NEW.loss END,
      'current_step', NEW.current_step,
      'total_steps', NEW.total_steps,
      'error', CASE WHEN event_type = 'job_failed' THEN NEW.error END,
      'gpu_count', NEW.gpu_count
    )),
    'trigger'
  )
  ON CONFLICT (idempotency_key) DO NOTHING;
  PERFORM pg_notify('training_alerts_wake', 'inbox');
  RETURN NEW;
END $$;

-- The system's record of training jobs. A training server may write this
-- table directly (the Supabase "realtime trigger" path): a status change
-- records the matching job event in the inbox, so alerts need no HTTP call.

CREATE TABLE IF NOT EXISTS training_jobs (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  model_name TEXT,
  status TEXT NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  current_step INTEGER CHECK (current_step >= 0),
  total_steps INTEGER CHECK (total_steps >= 0),
  loss DOUBLE PRECISION,
  error TEXT,
  gpu_count INTEGER NOT NULL DEFAULT 1 CHECK (gpu_count >= 0),
  metadata JSONB NOT NULL DEFAULT '{}'::jsonb,
  started_at TIMESTAMPTZ,
  finished_at TIMESTAMPTZ,
  last_progress_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS idx_training_jobs_user ON training_jobs(user_id, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_training_jobs_running
  ON training_jobs(last_progress_at) WHERE status = 'running';

ALTER TABLE training_jobs ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS "own jobs" ON training_jobs;
CREATE POLICY "own jobs" ON training_jobs FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()));
GRANT SELECT ON training_jobs TO authenticated;
GRANT ALL ON training_jobs TO service_role;

-- Keeps the lifecycle timestamps true whoever writes the row.
CREATE OR REPLACE FUNCTION training_jobs_stamp() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := NOW();
  IF NEW.status = 'running' AND NEW.started_at IS NULL THEN
    NEW.started_at := NOW();
  END IF;
  IF NEW.status = 'running' AND NEW.last_progress_at IS NULL THEN
    NEW.last_progress_at := NEW.started_at;
  END IF;
  IF NEW.status IN ('completed', 'failed', 'cancelled') AND NEW.finished_at IS NULL THEN
    NEW.finished_at := NOW();
  END IF;
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS training_jobs_stamp ON training_jobs;
CREATE TRIGGER training_jobs_stamp BEFORE INSERT OR UPDATE ON training_jobs
  FOR EACH ROW EXECUTE FUNCTION training_jobs_stamp();

-- A status change becomes a job event in the inbox. The idempotency key makes
-- a job's job_* event happen once per job and type, whichever path reports it
-- (the HTTP ingest derives the same key for job events).
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
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS training_jobs_record_event ON training_jobs;
CREATE TRIGGER training_jobs_record_event AFTER INSERT OR UPDATE OF status ON training_jobs
  FOR EACH ROW EXECUTE FUNCTION training_jobs_record_event();

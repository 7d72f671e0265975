-- A job's progress history: one point per reported step (its loss, when it
-- was reported, and a few optional metrics such as learning rate, tokens/s or
-- GPU memory). The job page draws its loss curve from it, reports their loss
-- trends. Points are written by a trigger on training_jobs, so every writer
-- feeds it alike: POST /progress, PUT with current_step or loss, and a
-- training server that updates the table directly.

-- The latest metrics a producer reported; each new point copies them.
ALTER TABLE training_jobs ADD COLUMN IF NOT EXISTS metrics JSONB
  CHECK (metrics IS NULL OR jsonb_typeof(metrics) = 'object');

CREATE TABLE IF NOT EXISTS training_job_progress (
  job_id UUID NOT NULL REFERENCES training_jobs(id) ON DELETE CASCADE,
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  step INTEGER NOT NULL CHECK (step >= 0),
  -- NaN and ±Infinity are legitimate readings of a diverging run.
  loss DOUBLE PRECISION,
  at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  metrics JSONB CHECK (metrics IS NULL OR jsonb_typeof(metrics) = 'object'),
  -- A step has one reading: a repeated step (a retry, a resumed run) replaces it.
  PRIMARY KEY (job_id, step)
);
CREATE INDEX IF NOT EXISTS idx_training_job_progress_user ON training_job_progress(user_id);

ALTER TABLE training_job_progress ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS "own progress" ON training_job_progress;
CREATE POLICY "own progress" ON training_job_progress FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()));
REVOKE ALL ON TABLE training_job_progress FROM public, anon, authenticated;
GRANT SELECT ON TABLE training_job_progress TO authenticated;
GRANT ALL ON TABLE training_job_progress TO service_role;

-- The job page reads a job's alerts.
CREATE INDEX IF NOT EXISTS idx_alert_history_user_job
  ON alert_history(user_id, job_id, created_at) WHERE job_id IS NOT NULL;

-- How many points each job holds, so that a write need not count them.
-- Service-only bookkeeping: RLS on, no policy, nothing granted to users.
CREATE TABLE IF NOT EXISTS training_job_progress_counts (
  job_id UUID PRIMARY KEY REFERENCES training_jobs(id) ON DELETE CASCADE,
  -- (no CHECK: the proposed row of the upsert below carries a delta, which may be negative)
  points INTEGER NOT NULL
);
ALTER TABLE training_job_progress_counts ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE training_job_progress_counts FROM public, anon, authenticated;
GRANT ALL ON TABLE training_job_progress_counts TO service_role;

-- Records one point, bounded per job, in one statement. When a job already
-- holds 2000 points, it is thinned evenly over its step range first: one point
-- per 1/1000 of the range is kept, and the first and last points always are.
-- The curve keeps its shape however long the job runs; storage stays bounded.
CREATE OR REPLACE FUNCTION training_job_progress_record(
  p_job_id UUID, p_user_id UUID, p_step INTEGER, p_loss DOUBLE PRECISION,
  p_at TIMESTAMPTZ, p_metrics JSONB
) RETURNS void
-- plpgsql, not sql: its statement's plan is cached across calls.
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  WITH bounds AS (
    -- Only read (min and max from the key) when the job is full.
    SELECT min(step) AS lo, max(step) AS hi FROM training_job_progress
    WHERE job_id = p_job_id
      AND (SELECT points FROM training_job_progress_counts WHERE job_id = p_job_id) >= 2000
  ),
  doomed AS (
    DELETE FROM training_job_progress p
    USING (
      SELECT q.step,
             row_number() OVER (
               PARTITION BY width_bucket(q.step::float8, b.lo::float8, b.hi::float8 + 1, 1000)
               ORDER BY q.step) AS rn
      FROM training_job_progress q, bounds b
      WHERE q.job_id = p_job_id AND b.lo IS NOT NULL
    ) ranked, bounds b
    WHERE p.job_id = p_job_id AND p.step = ranked.step AND ranked.rn > 1
      AND p.step NOT IN (b.lo, b.hi, p_step)
    RETURNING 1
  ),
  ins AS (
    INSERT INTO training_job_progress (job_id, user_id, step, loss, at, metrics)
    VALUES (p_job_id, p_user_id, p_step, p_loss, p_at, p_metrics)
    ON CONFLICT (job_id, step) DO UPDATE
      SET loss = EXCLUDED.loss, at = EXCLUDED.at, metrics = EXCLUDED.metrics
    RETURNING (xmax = 0) AS inserted
  )
  INSERT INTO training_job_progress_counts AS c (job_id, points)
  SELECT p_job_id, (SELECT count(*) FROM ins WHERE inserted) - (SELECT count(*) FROM doomed)
  ON CONFLICT (job_id) DO UPDATE SET points = c.points + EXCLUDED.points;
END $$;
REVOKE ALL ON FUNCTION training_job_progress_record(UUID, UUID, INTEGER, DOUBLE PRECISION, TIMESTAMPTZ, JSONB)
  FROM PUBLIC, anon, authenticated;

-- A new step, loss or set of metrics is a point. Its time is the job's
-- last_progress_at when the writer moved it (the API does, with its clock),
-- else now.
CREATE OR REPLACE FUNCTION training_jobs_record_progress() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NEW.current_step IS NULL THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE'
     AND NEW.current_step IS NOT DISTINCT FROM OLD.current_step
     AND NEW.loss IS NOT DISTINCT FROM OLD.loss
     AND NEW.metrics IS NOT DISTINCT FROM OLD.metrics
     AND NEW.last_progress_at IS NOT DISTINCT FROM OLD.last_progress_at THEN
    RETURN NEW;
  END IF;
  PERFORM training_job_progress_record(
    NEW.id, NEW.user_id, NEW.current_step, NEW.loss,
    CASE WHEN TG_OP = 'UPDATE' AND NEW.last_progress_at IS NOT DISTINCT FROM OLD.last_progress_at
      THEN NOW() ELSE coalesce(NEW.last_progress_at, NOW()) END,
    NEW.metrics);
  RETURN NEW;
END $$;

-- PostgREST exposes functions in public as RPCs; none of these is for clients.
REVOKE ALL ON FUNCTION training_jobs_record_progress() FROM public, anon, authenticated;

DROP TRIGGER IF EXISTS training_jobs_record_progress ON training_jobs;
CREATE TRIGGER training_jobs_record_progress
  AFTER INSERT OR UPDATE OF current_step, loss, metrics, last_progress_at ON training_jobs
  FOR EACH ROW EXECUTE FUNCTION training_jobs_record_progress();

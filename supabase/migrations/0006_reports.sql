-- Scheduled reports (daily summary, weekly digest). The per-minute tick
-- claims each user's report for a period by inserting its key here; the
-- primary key makes the claim happen once, however many ticks, workers or
-- catch-ups look at the same period.
--   key:    'daily:{user}:{local send date YYYY-MM-DD}' | 'weekly:{user}:{ISO week IYYY-"W"IW}'
--   status: pending (claimed, being built in the claiming transaction)
--         | alerted (an alert_history row was written) | skipped (no activity in the period)
--         | no_channels (email is off for the user)
CREATE TABLE IF NOT EXISTS report_runs (
  key TEXT PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('daily', 'weekly')),
  local_date DATE NOT NULL,
  timezone TEXT NOT NULL,
  due_at TIMESTAMPTZ NOT NULL,
  period_start TIMESTAMPTZ NOT NULL,
  period_end TIMESTAMPTZ NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'alerted', 'skipped', 'no_channels')),
  alert_id UUID REFERENCES alert_history(id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  finished_at TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS idx_report_runs_user ON report_runs(user_id, due_at DESC);

ALTER TABLE report_runs ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS "own report runs" ON report_runs;
CREATE POLICY "own report runs" ON report_runs FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()));
GRANT SELECT ON report_runs TO authenticated;
GRANT ALL ON report_runs TO service_role;

-- The tick reads only the users who asked for a report.
CREATE INDEX IF NOT EXISTS idx_user_alert_preferences_reports ON user_alert_preferences(user_id)
  WHERE daily_summary_enabled OR weekly_digest_enabled;

-- Report content: a user's jobs that overlap a period (still running ones
-- have no finished_at) and a user's resource events by type and time.
CREATE INDEX IF NOT EXISTS idx_training_jobs_user_finished
  ON training_jobs(user_id, (COALESCE(finished_at, 'infinity'::timestamptz)));
CREATE INDEX IF NOT EXISTS idx_alert_events_user_type_occurred
  ON alert_events(user_id, type, occurred_at);

-- A stored time-zone name PostgreSQL does not know (names are checked with
-- the runtime's ICU data when saved, which may differ) would make
-- `AT TIME ZONE` fail the tick for every user; such a zone is read as UTC,
-- as lib/alerts/quiet-hours.ts does. Called once per distinct zone per tick.
CREATE OR REPLACE FUNCTION alerts_report_zone(name TEXT) RETURNS TEXT
LANGUAGE plpgsql STABLE AS $$
BEGIN
  PERFORM now() AT TIME ZONE name;
  RETURN name;
EXCEPTION WHEN invalid_parameter_value THEN
  RETURN 'UTC';
END $$;

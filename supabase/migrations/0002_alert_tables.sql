-- The seed design's three tables, column for column (SEED.md, Database Schema).
-- Additions live in later migrations as new columns, never as changes.

CREATE TABLE IF NOT EXISTS user_alert_preferences (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,

  -- Email settings
  email_enabled BOOLEAN DEFAULT true,
  email_address TEXT,  -- Override, defaults to user's auth email

  -- Training job alerts
  alert_job_started BOOLEAN DEFAULT false,
  alert_job_completed BOOLEAN DEFAULT true,
  alert_job_failed BOOLEAN DEFAULT true,
  alert_job_cancelled BOOLEAN DEFAULT false,

  -- Resource alerts
  alert_gpu_oom BOOLEAN DEFAULT true,
  alert_disk_warning BOOLEAN DEFAULT true,
  alert_timeout_warning BOOLEAN DEFAULT true,

  -- Scheduled reports
  daily_summary_enabled BOOLEAN DEFAULT false,
  daily_summary_time TIME DEFAULT '09:00:00',
  weekly_digest_enabled BOOLEAN DEFAULT false,
  weekly_digest_day INTEGER DEFAULT 1,  -- 0=Sunday, 1=Monday, etc.

  -- Quiet hours (no alerts)
  quiet_hours_enabled BOOLEAN DEFAULT false,
  quiet_hours_start TIME DEFAULT '22:00:00',
  quiet_hours_end TIME DEFAULT '08:00:00',
  timezone TEXT DEFAULT 'UTC',

  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW(),

  UNIQUE(user_id)
);

CREATE TABLE IF NOT EXISTS user_webhooks (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,

  name TEXT NOT NULL,  -- "Slack #ml-alerts", "Discord Bot"
  url TEXT NOT NULL,

  -- Webhook type for formatting
  webhook_type TEXT DEFAULT 'generic',  -- 'slack', 'discord', 'generic'

  -- Secret for signature verification (optional)
  secret TEXT,

  -- Which alerts to send
  alert_job_started BOOLEAN DEFAULT false,
  alert_job_completed BOOLEAN DEFAULT true,
  alert_job_failed BOOLEAN DEFAULT true,
  alert_job_cancelled BOOLEAN DEFAULT false,
  alert_gpu_oom BOOLEAN DEFAULT true,
  alert_disk_warning BOOLEAN DEFAULT true,
  alert_timeout_warning BOOLEAN DEFAULT true,

  -- Status
  enabled BOOLEAN DEFAULT true,
  last_success_at TIMESTAMPTZ,
  last_failure_at TIMESTAMPTZ,
  failure_count INTEGER DEFAULT 0,

  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS alert_history (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,

  -- Alert details
  alert_type TEXT NOT NULL,  -- 'job_completed', 'job_failed', 'gpu_oom', etc.
  title TEXT NOT NULL,
  message TEXT NOT NULL,

  -- Related entity
  job_id UUID,  -- Reference to training job if applicable

  -- Delivery status
  email_sent BOOLEAN DEFAULT false,
  email_sent_at TIMESTAMPTZ,
  email_error TEXT,

  webhook_sent BOOLEAN DEFAULT false,
  webhook_sent_at TIMESTAMPTZ,
  webhook_id UUID REFERENCES user_webhooks(id) ON DELETE SET NULL,
  webhook_error TEXT,

  created_at TIMESTAMPTZ DEFAULT NOW()
);

-- Index for querying user's alert history
CREATE INDEX IF NOT EXISTS idx_alert_history_user_created ON alert_history(user_id, created_at DESC);

-- Row-level security: a user sees and changes only their own rows.
ALTER TABLE user_alert_preferences ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_webhooks ENABLE ROW LEVEL SECURITY;
ALTER TABLE alert_history ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS "own preferences" ON user_alert_preferences;
CREATE POLICY "own preferences" ON user_alert_preferences FOR ALL TO authenticated
  USING (user_id = (SELECT auth.uid())) WITH CHECK (user_id = (SELECT auth.uid()));

DROP POLICY IF EXISTS "own webhooks" ON user_webhooks;
CREATE POLICY "own webhooks" ON user_webhooks FOR ALL TO authenticated
  USING (user_id = (SELECT auth.uid())) WITH CHECK (user_id = (SELECT auth.uid()));

-- History is written by the service; users read it.
DROP POLICY IF EXISTS "own history" ON alert_history;
CREATE POLICY "own history" ON alert_history FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()));

GRANT SELECT, INSERT, UPDATE, DELETE ON user_alert_preferences TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON user_webhooks TO authenticated;
GRANT SELECT ON alert_history TO authenticated;
GRANT ALL ON user_alert_preferences, user_webhooks, alert_history TO service_role;

-- Additions to the seed tables (new columns only) and the event inbox and
-- per-channel delivery records of DESIGN.md §4.

-- Webhooks: the URL column holds ciphertext, so a masked copy is kept for
-- display; a disabled webhook says why.
ALTER TABLE user_webhooks ADD COLUMN IF NOT EXISTS url_masked TEXT;
ALTER TABLE user_webhooks ADD COLUMN IF NOT EXISTS disabled_reason TEXT;
ALTER TABLE user_webhooks ADD COLUMN IF NOT EXISTS disabled_at TIMESTAMPTZ;
ALTER TABLE user_webhooks ADD COLUMN IF NOT EXISTS last_status_code INTEGER;
ALTER TABLE user_webhooks ADD COLUMN IF NOT EXISTS last_error TEXT;
CREATE INDEX IF NOT EXISTS idx_user_webhooks_user ON user_webhooks(user_id, created_at);

-- History: the outcome of the alert as a whole and what produced it.
--   status: pending | sent | partial | failed | deferred | suppressed | skipped
ALTER TABLE alert_history ADD COLUMN IF NOT EXISTS status TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE alert_history ADD COLUMN IF NOT EXISTS event_id UUID;
ALTER TABLE alert_history ADD COLUMN IF NOT EXISTS data JSONB NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE alert_history ADD COLUMN IF NOT EXISTS deferred_until TIMESTAMPTZ;
ALTER TABLE alert_history ADD COLUMN IF NOT EXISTS suppressed_reason TEXT;
CREATE INDEX IF NOT EXISTS idx_alert_history_user_created_id
  ON alert_history(user_id, created_at DESC, id DESC);

-- Every accepted event, stored before it is acknowledged. A producer's
-- `event_id` is the row id; `idempotency_key` carries the Idempotency-Key
-- header or the key a database trigger derives, so a repeat is a duplicate.
CREATE TABLE IF NOT EXISTS alert_events (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  idempotency_key TEXT UNIQUE,
  type TEXT NOT NULL,
  user_id UUID NOT NULL,
  job_id UUID,
  occurred_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  data JSONB NOT NULL DEFAULT '{}'::jsonb,
  source TEXT NOT NULL DEFAULT 'api',  -- 'api', 'trigger', 'monitor', 'scheduler'
  received_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  processed_at TIMESTAMPTZ,
  alert_id UUID REFERENCES alert_history(id) ON DELETE SET NULL,
  outcome TEXT  -- what processing decided: alerted, deduplicated, disabled, …
);
CREATE INDEX IF NOT EXISTS idx_alert_events_unprocessed
  ON alert_events(received_at) WHERE processed_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_alert_events_user_job ON alert_events(user_id, job_id, type);

-- One row per alert × channel × webhook.
--   status: pending | deferred | sending | delivered | failed | suppressed | skipped
CREATE TABLE IF NOT EXISTS alert_deliveries (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  alert_id UUID NOT NULL REFERENCES alert_history(id) ON DELETE CASCADE,
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
  webhook_id UUID REFERENCES user_webhooks(id) ON DELETE SET NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_status_code INTEGER,
  last_error TEXT,
  next_attempt_at TIMESTAMPTZ,
  delivered_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  UNIQUE NULLS NOT DISTINCT (alert_id, channel, webhook_id)
);
CREATE INDEX IF NOT EXISTS idx_alert_deliveries_user ON alert_deliveries(user_id, created_at DESC);

ALTER TABLE alert_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE alert_deliveries ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS "own events" ON alert_events;
CREATE POLICY "own events" ON alert_events FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()));

DROP POLICY IF EXISTS "own deliveries" ON alert_deliveries;
CREATE POLICY "own deliveries" ON alert_deliveries FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()));

GRANT SELECT ON alert_events, alert_deliveries TO authenticated;
GRANT ALL ON alert_events, alert_deliveries TO service_role;

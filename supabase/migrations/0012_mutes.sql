-- Mutes (issue 17): a user silences a job, a group label (a job's
-- metadata.group, or an event's data.group) or an alert type until a time.
-- While a mute holds, matching alerts are recorded in history as `muted`,
-- never delivered and not counted against the rate limit. Deleting the row
-- unmutes; alerts muted meanwhile are not replayed.
CREATE TABLE IF NOT EXISTS alert_mutes (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  scope TEXT NOT NULL CHECK (scope IN ('job', 'group', 'type')),
  value TEXT NOT NULL CHECK (char_length(value) BETWEEN 1 AND 200),
  muted_until TIMESTAMPTZ NOT NULL,
  -- How it was made: 'web' (a signed-in page or the API) or 'link' (the
  -- signed one-click link in an alert).
  created_via TEXT NOT NULL DEFAULT 'web' CHECK (created_via IN ('web', 'link')),
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  CHECK (muted_until > created_at),
  CHECK (scope <> 'job' OR value ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'),
  -- One mute per thing: muting again moves its end.
  UNIQUE (user_id, scope, value)
);
CREATE INDEX IF NOT EXISTS idx_alert_mutes_user_until ON alert_mutes(user_id, muted_until);

ALTER TABLE alert_mutes ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS "own mutes" ON alert_mutes;
CREATE POLICY "own mutes" ON alert_mutes FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()));
-- Writes go through the API only.
REVOKE ALL ON TABLE alert_mutes FROM public, anon, authenticated;
GRANT SELECT ON TABLE alert_mutes TO authenticated;
GRANT ALL ON TABLE alert_mutes TO service_role;

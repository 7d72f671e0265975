-- Personal producer keys (issue 16): a user's own credential for the producer
-- routes, acting as its owner only. Only the SHA-256 of a key is stored; the
-- key itself is shown once, when it is created. `prefix` (the key's first
-- characters) lets a user tell keys apart in a list without revealing them.
CREATE TABLE IF NOT EXISTS producer_keys (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  prefix TEXT NOT NULL CHECK (prefix ~ '^tak_[A-Za-z0-9_-]{4,16}$'),
  key_hash BYTEA NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  -- Written at most once a minute per key (lib/alerts/sql/producer-keys.ts).
  last_used_at TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS idx_producer_keys_user ON producer_keys(user_id, created_at);

ALTER TABLE producer_keys ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS "own producer keys" ON producer_keys;
CREATE POLICY "own producer keys" ON producer_keys FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()));
-- Keys are created and revoked through the API only; a user may read the
-- non-secret columns of their own keys (not even the hash).
REVOKE ALL ON TABLE producer_keys FROM public, anon, authenticated;
GRANT SELECT (id, user_id, name, prefix, created_at, last_used_at) ON producer_keys TO authenticated;
GRANT ALL ON producer_keys TO service_role;

-- The loss_diverged alert type (a NaN or infinite loss; once per job), on by default.
ALTER TABLE user_alert_preferences ADD COLUMN IF NOT EXISTS alert_loss_diverged BOOLEAN DEFAULT true;
ALTER TABLE user_webhooks ADD COLUMN IF NOT EXISTS alert_loss_diverged BOOLEAN DEFAULT true;
-- user_webhooks is granted to users column by column (0008: never url or secret).
GRANT SELECT (alert_loss_diverged) ON user_webhooks TO authenticated;

-- Grouping (DESIGN.md §6 "Grouping"; docs/grouping.md) and the sweep summary
-- alert type `group_completed`.
--
-- A group is user × destination (email, or one webhook) × alert type × the
-- job's group label. An alert whose group sent no message in the last
-- `group_window_seconds` goes out at once; later ones join the group's open
-- batch, sent as one message when the batch's window ends. Batches and their
-- members are rows committed with the alert, so a crash loses nothing.

-- The window; 0 turns grouping off. The API allows 0–3600 and says so.
ALTER TABLE user_alert_preferences ADD COLUMN IF NOT EXISTS group_window_seconds INTEGER NOT NULL
  DEFAULT 60
  CONSTRAINT user_alert_preferences_group_window_seconds_check
  CHECK (group_window_seconds BETWEEN 0 AND 3600);

-- The sweep summary's flags, default on like every second-round type.
ALTER TABLE user_alert_preferences ADD COLUMN IF NOT EXISTS alert_group_completed BOOLEAN DEFAULT true;
ALTER TABLE user_webhooks ADD COLUMN IF NOT EXISTS alert_group_completed BOOLEAN DEFAULT true;
-- user_webhooks is granted to users column by column (0008: never url or secret).
GRANT SELECT (alert_group_completed) ON user_webhooks TO authenticated;

-- Every alert's group label (`data.group` of its event, else its job's
-- `metadata.group`), for `GET /api/alerts/history?group=…`. The trigger fills
-- it for inserts that do not give it, so every path that writes alerts agrees.
ALTER TABLE alert_history ADD COLUMN IF NOT EXISTS group_label TEXT
  CONSTRAINT alert_history_group_label_length CHECK (char_length(group_label) BETWEEN 1 AND 200);
CREATE INDEX IF NOT EXISTS idx_alert_history_user_group
  ON alert_history(user_id, group_label, created_at DESC, id DESC) WHERE group_label IS NOT NULL;

-- A label as the app cleans it (lib/alerts/grouping/group-key.ts): a string,
-- on one line, at most 200 characters, never empty.
CREATE OR REPLACE FUNCTION alerts_group_label(value JSONB) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof(value) = 'string'
    THEN left(nullif(btrim(regexp_replace(value #>> '{}', '\s+', ' ', 'g')), ''), 200)
  END
$$;

CREATE OR REPLACE FUNCTION alert_history_group_label() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF NEW.group_label IS NULL THEN
    NEW.group_label := coalesce(
      alerts_group_label(NEW.data -> 'group'),
      CASE WHEN NEW.job_id IS NOT NULL THEN
        (SELECT alerts_group_label(j.metadata -> 'group') FROM training_jobs j
         WHERE j.id = NEW.job_id AND j.user_id = NEW.user_id)
      END
    );
  END IF;
  RETURN NEW;
END $$;

-- PostgREST exposes functions in public as RPCs; neither is for clients.
REVOKE ALL ON FUNCTION alerts_group_label(JSONB) FROM public, anon, authenticated;
REVOKE ALL ON FUNCTION alert_history_group_label() FROM public, anon, authenticated;

DROP TRIGGER IF EXISTS alert_history_group_label ON alert_history;
CREATE TRIGGER alert_history_group_label BEFORE INSERT ON alert_history
  FOR EACH ROW EXECUTE FUNCTION alert_history_group_label();

-- Alerts written before this migration get their label once.
UPDATE alert_history h SET group_label = coalesce(
    alerts_group_label(h.data -> 'group'),
    (SELECT alerts_group_label(j.metadata -> 'group') FROM training_jobs j
     WHERE j.id = h.job_id AND j.user_id = h.user_id))
WHERE h.group_label IS NULL
  AND (h.data ? 'group' OR h.job_id IS NOT NULL);

-- Jobs by label: the sweep summary reads a group's jobs.
CREATE INDEX IF NOT EXISTS idx_training_jobs_group_label
  ON training_jobs(user_id, (metadata ->> 'group')) WHERE metadata ? 'group';

-- One row per group key: when its last message went out. The look-back reads
-- it; an immediate message or a released batch moves it.
CREATE TABLE IF NOT EXISTS alert_groups (
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  group_key TEXT NOT NULL,
  last_message_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (user_id, group_key)
);

-- A batch: the members of one group message. Open while `closed_at` is null
-- (at most one open batch per group key); closed when its message is
-- claimed, so the members it lists are fixed before anything is sent and a
-- retry sends the same message.
CREATE TABLE IF NOT EXISTS alert_group_batches (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  group_key TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
  webhook_id UUID REFERENCES user_webhooks(id) ON DELETE SET NULL,
  alert_type TEXT NOT NULL,
  group_label TEXT CHECK (char_length(group_label) BETWEEN 1 AND 200),
  opened_at TIMESTAMPTZ NOT NULL,
  -- The window's end: the group message is due then.
  release_at TIMESTAMPTZ NOT NULL,
  closed_at TIMESTAMPTZ,
  member_count INTEGER NOT NULL DEFAULT 0 CHECK (member_count >= 0),
  -- The group message: an `alert_group` alert whose one delivery sends it.
  message_alert_id UUID REFERENCES alert_history(id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  CHECK (release_at >= opened_at)
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_alert_group_batches_open
  ON alert_group_batches(user_id, group_key) WHERE closed_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_alert_group_batches_user
  ON alert_group_batches(user_id, opened_at DESC);

-- A member's delivery (status 'grouped' until its group message's outcome is
-- recorded) names the batch it joined; the group message's own alert names
-- the batch it sends.
ALTER TABLE alert_deliveries ADD COLUMN IF NOT EXISTS group_batch_id UUID
  REFERENCES alert_group_batches(id) ON DELETE SET NULL;
CREATE INDEX IF NOT EXISTS idx_alert_deliveries_group_batch
  ON alert_deliveries(group_batch_id) WHERE group_batch_id IS NOT NULL;
ALTER TABLE alert_history ADD COLUMN IF NOT EXISTS group_batch_id UUID
  REFERENCES alert_group_batches(id) ON DELETE SET NULL;

-- The sweep summary (`group_completed`): per user and label, how far the
-- last summary reached (the newest job it covered). The next burst is the
-- label's jobs created after that; its summary fires once every job of the
-- label has finished and none started within the user's window.
CREATE TABLE IF NOT EXISTS alert_group_sweeps (
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  group_label TEXT NOT NULL CHECK (char_length(group_label) BETWEEN 1 AND 200),
  summarized_until TIMESTAMPTZ NOT NULL,
  event_id UUID,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (user_id, group_label)
);

ALTER TABLE alert_groups ENABLE ROW LEVEL SECURITY;
ALTER TABLE alert_group_sweeps ENABLE ROW LEVEL SECURITY;
ALTER TABLE alert_group_batches ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS "own groups" ON alert_groups;
CREATE POLICY "own groups" ON alert_groups FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()));
DROP POLICY IF EXISTS "own group sweeps" ON alert_group_sweeps;
CREATE POLICY "own group sweeps" ON alert_group_sweeps FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()));
DROP POLICY IF EXISTS "own group batches" ON alert_group_batches;
CREATE POLICY "own group batches" ON alert_group_batches FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()));

-- Writes go through the API and the engine only.
REVOKE ALL ON TABLE alert_groups FROM public, anon, authenticated;
REVOKE ALL ON TABLE alert_group_batches FROM public, anon, authenticated;
REVOKE ALL ON TABLE alert_group_sweeps FROM public, anon, authenticated;
GRANT SELECT ON TABLE alert_groups TO authenticated;
GRANT SELECT ON TABLE alert_group_batches TO authenticated;
GRANT SELECT ON TABLE alert_group_sweeps TO authenticated;
GRANT ALL ON alert_groups, alert_group_batches, alert_group_sweeps TO service_role;

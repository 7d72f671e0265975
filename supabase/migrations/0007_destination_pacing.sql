-- Back-pressure per destination: Slack takes about one message a second per
-- webhook, Discord about 30 a minute per channel. Each delivery to such a
-- webhook reserves the next free send slot; `send_after` is the first slot
-- not yet taken. A 429's Retry-After (or Discord's `retry_after`) sets
-- `held_until`: nothing is sent to that webhook before then, not only the
-- delivery that was refused.
ALTER TABLE user_webhooks ADD COLUMN IF NOT EXISTS send_after TIMESTAMPTZ;
ALTER TABLE user_webhooks ADD COLUMN IF NOT EXISTS held_until TIMESTAMPTZ;

-- The send slot a delivery reserved and waits for: when it comes back at that
-- time it is sent without reserving another. Cleared once an attempt is made.
ALTER TABLE alert_deliveries ADD COLUMN IF NOT EXISTS send_slot TIMESTAMPTZ;

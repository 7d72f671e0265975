import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { type EngineDeps, processInbox } from "@/lib/alerts/alert.service";
import type { EventOutcome } from "@/lib/alerts/alert.types";
import { NO_METRICS } from "@/lib/alerts/metrics.port";
import type { EngineEventMap } from "@/lib/alerts/ports";
import { call, makeUngroupedUser, SERVICE_KEY } from "./helpers/app";
import { engineTestApp } from "./helpers/engine-app";

const t = engineTestApp();

async function post(userId: string, data: Record<string, unknown>): Promise<string> {
  const res = await call(postEvent, "POST", "/api/alerts/events", {
    token: SERVICE_KEY,
    body: { type: "job_failed", user_id: userId, job_id: randomUUID(), data },
  });
  expect(res.status).toBe(202);
  return res.body.event_id as string;
}

describe("an inbox batch in which one event throws", () => {
  it("decides the others once, marks the bad one failed and retries it, and wakes, emits and counts only what committed", async () => {
    // An alert about a `poison` event fails as a bug would: not a lost race.
    await t.app.ctx.db.exec(`
      create function poison_alert() returns trigger language plpgsql as $$
      begin
        if new.data ? 'poison' then raise exception 'poisoned event'; end if;
        return new;
      end $$;
      create trigger poison_alert before insert on alert_history
        for each row execute function poison_alert();`);
    try {
      const first = await makeUngroupedUser(t.app);
      const second = await makeUngroupedUser(t.app);
      const good = [await post(first.id, {}), await post(second.id, {}), await post(first.id, {})];
      const bad = await post(first.id, { poison: true });

      const events = new EventEmitter<EngineEventMap>();
      const passes: number[] = [];
      events.on("inbox:processed", ({ processed }) => passes.push(processed));
      const counted: [string, EventOutcome][] = [];
      const created: string[] = [];
      let wakes = 0;
      const deps: EngineDeps = {
        ...t.engine.deps,
        queue: { ...t.engine.deps.queue, wake: () => wakes++ },
        events,
        metrics: {
          ...NO_METRICS,
          eventProcessed: (type, outcome) => counted.push([type, outcome]),
          alertCreated: (status) => created.push(status),
        },
      };

      expect(await processInbox(deps)).toBe(4);

      const { rows } = await t.app.ctx.db.query<{
        id: string;
        outcome: string | null;
        attempts: number;
        last_error: string | null;
        processed: boolean;
      }>(
        `select id, outcome, attempts, last_error, processed_at is not null as processed
         from alert_events where id = any($1::uuid[])`,
        [[...good, bad]],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const id of good) {
        expect(byId.get(id)).toMatchObject({ outcome: "alerted", attempts: 0, processed: true });
      }
      expect(byId.get(bad)).toMatchObject({ outcome: null, attempts: 1, processed: false });
      expect(byId.get(bad)?.last_error).toContain("poisoned event");
      // One alert per good event: nothing of the rolled-back attempt remains.
      const alerts = await t.app.ctx.db.query<{ event_id: string }>(
        "select event_id from alert_history where user_id = any($1::uuid[]) order by event_id",
        [[first.id, second.id]],
      );
      expect(alerts.rows.map((a) => a.event_id)).toEqual([...good].sort());
      expect([passes, wakes, created.length]).toEqual([[4], 1, 3]);
      expect(counted).toEqual([
        ["job_failed", "alerted"],
        ["job_failed", "alerted"],
        ["job_failed", "alerted"],
      ]);

      // The next pass tries the bad event again, as a failed event is.
      expect(await processInbox(deps)).toBe(1);
      const again = await t.app.ctx.db.query<{ attempts: number }>(
        "select attempts from alert_events where id = $1",
        [bad],
      );
      expect(again.rows[0]?.attempts).toBe(2);
      expect([passes, wakes, counted.length]).toEqual([[4, 1], 1, 3]);
    } finally {
      await t.app.ctx.db.exec(
        "drop trigger poison_alert on alert_history; drop function poison_alert();",
      );
    }
  });
});

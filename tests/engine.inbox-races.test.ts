import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { processInbox } from "@/lib/alerts/alert.service";
import { call, makeUser, SERVICE_KEY, startTestApp, type TestApp } from "./helpers/app";
import { manualEngine } from "./helpers/engine";

let app: TestApp;
let engine: Awaited<ReturnType<typeof manualEngine>>;
beforeAll(async () => {
  app = await startTestApp();
  engine = await manualEngine(app);
});
afterAll(async () => {
  await engine?.stop();
  await app?.close();
});

describe("an event whose processing loses a race with another transaction", () => {
  it("stays in the inbox uncounted and becomes its alert once the race is won, however often it lost", async () => {
    const user = await makeUser(app);
    // The first 8 alert inserts die as deadlock victims: more than the 5
    // failed attempts after which an event is closed as an error.
    await app.ctx.db.exec(`
      create sequence lost_races;
      create function lose_race() returns trigger language plpgsql as $$
      begin
        if nextval('lost_races') <= 8 then
          raise exception 'deadlock detected' using errcode = 'deadlock_detected';
        end if;
        return new;
      end $$;
      create trigger lose_race before insert on alert_history
        for each row execute function lose_race();`);
    try {
      const res = await call(postEvent, "POST", "/api/alerts/events", {
        token: SERVICE_KEY,
        body: { type: "job_failed", user_id: user.id, job_id: randomUUID(), data: {} },
      });
      expect(res.status).toBe(202);
      for (let pass = 0; pass < 9; pass++) await processInbox(engine.deps);

      const { rows } = await app.ctx.db.query<{
        outcome: string;
        attempts: number;
        alert_id: string | null;
      }>("select outcome, attempts, alert_id from alert_events where id = $1", [res.body.event_id]);
      expect(rows[0]).toMatchObject({ outcome: "alerted", attempts: 0 });
      expect(rows[0]?.alert_id).toEqual(expect.any(String));
    } finally {
      await app.ctx.db.exec(
        "drop trigger lose_race on alert_history; drop function lose_race(); drop sequence lost_races;",
      );
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processInbox } from "@/lib/alerts/alert.service";
import { startWorker } from "@/lib/engine/worker";
import { makeUser, startTestApp, type TestApp } from "./helpers/app";
import { manualEngine } from "./helpers/engine";
import { postJobStarted, userWithWebhook } from "./helpers/fixtures";
import { startReceiver } from "./helpers/receiver";
import { workerIdle } from "./helpers/wait";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    ALERTS_WEBHOOK_ALLOW_HTTP: "true",
    ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.0/8",
  });
  app.setNow(new Date());
});
afterAll(() => app?.close());

describe("inbox passes over shares of the users", () => {
  it("take only their share's events, and the shares together take every event", async () => {
    const engine = await manualEngine(app);
    try {
      const users = await Promise.all(Array.from({ length: 8 }, () => makeUser(app)));
      for (const user of users) for (let i = 0; i < 2; i++) await postJobStarted(user.id);
      const shareOf = async () => {
        const { rows } = await app.ctx.db.query<{ share: number; processed: boolean }>(
          `select mod(abs(hashtext(user_id::text)), 2) as share, processed_at is not null as processed
           from alert_events where user_id = any($1::uuid[])`,
          [users.map((u) => u.id)],
        );
        return rows;
      };
      // 8 users fall into both of two shares (else the test says nothing).
      expect(new Set((await shareOf()).map((r) => r.share))).toEqual(new Set([0, 1]));

      await processInbox(engine.deps, 50, { count: 2, index: 0 });
      for (const row of await shareOf()) expect(row.processed).toBe(row.share === 0);
      await processInbox(engine.deps, 50, { count: 2, index: 1 });
      for (const row of await shareOf()) expect(row.processed).toBe(true);
    } finally {
      await engine.stop();
    }
  });

  it("in a worker of three loops, make every event its alert and every webhook one request", async () => {
    const receiver = await startReceiver(() => ({ status: 200 }));
    const worker = await startWorker(app.ctx, { pollMs: 100, inboxLoops: 3 });
    try {
      const users = await Promise.all(
        Array.from({ length: 6 }, async () => {
          return (await userWithWebhook(app, `${receiver.url}/hook`, {}, { ungrouped: true })).user;
        }),
      );
      const ids: string[] = [];
      for (let round = 0; round < 3; round++)
        for (const user of users) ids.push(await postJobStarted(user.id));
      await workerIdle(worker.events, app.ctx.db);

      const { rows } = await app.ctx.db.query<{ outcome: string; n: number }>(
        "select outcome, count(*)::int as n from alert_events where id = any($1::uuid[]) group by outcome",
        [ids],
      );
      expect(rows).toEqual([{ outcome: "alerted", n: ids.length }]);
      const webhookIds = receiver.requests.map((r) => r.headers["webhook-id"]);
      expect(webhookIds).toHaveLength(ids.length);
      expect(new Set(webhookIds).size).toBe(ids.length);
    } finally {
      await worker.stop(2000);
      await receiver.close();
    }
  });
});

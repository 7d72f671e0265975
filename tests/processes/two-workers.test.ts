import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WAKE_CHANNEL } from "@/lib/queue/queue";
import type { TestApp } from "../helpers/app";
import { startReceiver } from "../helpers/receiver";
import { waitUntil } from "../helpers/wait";
import { killAllWorkers, spawnWorker, type WorkerProcess } from "../helpers/worker-process";
import {
  byWebhookId,
  deliveries,
  settled,
  startProcessApp,
  userWithWebhook,
  webhookIdOf,
} from "./support";

let app: TestApp;
let databaseUrl: string;
beforeAll(async () => {
  ({ app, databaseUrl } = await startProcessApp());
});
afterAll(async () => {
  await killAllWorkers();
  await app?.close();
});

const USERS = 50;
const EVENTS = 1000;

/** How many deliveries a worker says it completed, from its "delivery batch" log lines. */
function deliveredBy(worker: WorkerProcess): number {
  return worker
    .logs()
    .filter((l) => l.msg === "delivery batch")
    .reduce((sum, l) => sum + Number(l.delivered ?? 0), 0);
}

describe("two standalone workers on one PostgreSQL database", () => {
  it("share 1,000 events and deliver each exactly once", async () => {
    const receiver = await startReceiver();
    const users: string[] = [];
    for (let i = 0; i < USERS; i++) {
      users.push((await userWithWebhook(app, `${receiver.url}/hook/${i}`)).user.id);
    }
    const workers = await Promise.all([
      spawnWorker(databaseUrl, { LOG_LEVEL: "info" }),
      spawnWorker(databaseUrl, { LOG_LEVEL: "info" }),
    ]);

    // A burst of events with distinct jobs, stored as the events route stores
    // them, then one wake-up, as its commit would send.
    const userIds = Array.from({ length: EVENTS }, (_, i) => users[i % USERS]);
    await app.ctx.db.transaction(async (tx) => {
      await tx.query(
        `insert into alert_events (type, user_id, job_id, data, source)
         select 'job_started', u, gen_random_uuid(), '{"model_name": "m"}'::jsonb, 'api'
         from unnest($1::uuid[]) as u`,
        [userIds],
      );
      await tx.query("select pg_notify($1, 'inbox')", [WAKE_CHANNEL]);
    });

    await receiver.waitFor(EVENTS, 180_000);
    await waitUntil("the workers to settle", () => settled(app), { timeoutMs: 60_000 });

    const { rows: outcomes } = await app.ctx.db.query<{ outcome: string; n: string }>(
      "select outcome, count(*) as n from alert_events group by outcome",
    );
    expect(outcomes.map((r) => [r.outcome, Number(r.n)])).toEqual([["alerted", EVENTS]]);

    const rows = await deliveries(app);
    expect(rows).toHaveLength(EVENTS);
    expect(rows.filter((d) => d.status !== "delivered" || d.attempts !== 1)).toEqual([]);

    // No duplicate, none missing: one request per delivery, each answered 200.
    expect(receiver.requests).toHaveLength(EVENTS);
    const perId = byWebhookId(receiver.requests);
    expect(perId.size).toBe(EVENTS);
    for (const d of rows) expect(perId.get(webhookIdOf(d.id))).toEqual({ requests: 1, ok: 1 });

    // Both took part, and between them they account for every delivery.
    const shares = workers.map(deliveredBy);
    for (const share of shares) expect(share).toBeGreaterThan(0);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(EVENTS);

    for (const w of workers) expect(await w.signal("SIGTERM")).toEqual({ code: 0, signal: null });
    await receiver.close();
  });
});

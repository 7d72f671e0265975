import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { PUT as putPrefs } from "@/app/api/alerts/preferences/route";
import { POST as createWebhook } from "@/app/api/alerts/webhooks/route";
import { call, makeUser, SERVICE_KEY, type TestApp } from "../helpers/app";
import { type ReceivedRequest, startReceiver } from "../helpers/receiver";
import { waitUntil } from "../helpers/wait";
import { killAllWorkers, spawnWorker } from "../helpers/worker-process";
import { requestsByWebhookId, settled, startProcessApp } from "../processes/support";

// Issue 19, "Done when": a SIGKILL of the worker during an open window loses
// no alert and doubles no message. A standalone worker is killed while a
// group's batch holds members and its window has not ended (and while the
// rest of the burst may still be in the inbox), then a new one is started:
// every alert is listed in exactly one message per destination.

const ALERTS = 20;
// Workers read the real clock, so the window is real time: long enough that
// the kill surely lands inside it (the test checks that it did), short
// enough to keep the test quick.
const WINDOW_SECONDS = 10;
const KINDS = ["generic", "slack"] as const;
type Kind = (typeof KINDS)[number];

let app: TestApp;
let databaseUrl: string;
beforeAll(async () => {
  ({ app, databaseUrl } = await startProcessApp());
});
afterAll(async () => {
  await killAllWorkers();
  await app?.close();
});

/** The models a message names (every member: 20 alerts fit every layout's list). */
function named(kind: Kind, req: ReceivedRequest): string[] {
  if (kind === "generic") {
    const body = JSON.parse(req.body);
    if (body.type !== "alert.group") return [body.data.model_name];
    expect(body.data.omitted).toBe(0);
    return body.data.alerts.map((a: { data: { model_name: string } }) => a.data.model_name);
  }
  expect(req.body).not.toMatch(/\+\d+ more/);
  return [...new Set([...req.body.matchAll(/kill-\d{2}/g)].map((m) => m[0]))];
}

describe("grouping when the worker is SIGKILLed during an open window", () => {
  it("loses no alert and sends none twice: after a restart every alert is in exactly one message per destination", async () => {
    const receivers = {} as Record<Kind, Awaited<ReturnType<typeof startReceiver>>>;
    for (const kind of KINDS) receivers[kind] = await startReceiver();
    const user = await makeUser(app);
    const prefs = await call(putPrefs, "PUT", "/api/alerts/preferences", {
      token: user.token,
      body: { email_enabled: false, group_window_seconds: WINDOW_SECONDS },
    });
    expect(prefs.status).toBe(200);
    for (const kind of KINDS) {
      const res = await call(createWebhook, "POST", "/api/alerts/webhooks", {
        token: user.token,
        body: {
          name: kind,
          url: `${receivers[kind].url}/hook`,
          webhook_type: kind,
          ...(kind === "generic" ? { secret: "generate" } : {}),
        },
      });
      expect(res.status).toBe(201);
    }
    const models = Array.from({ length: ALERTS }, (_, i) => `kill-${String(i).padStart(2, "0")}`);
    const post = async (model: string) => {
      const res = await call(postEvent, "POST", "/api/alerts/events", {
        token: SERVICE_KEY,
        body: {
          type: "job_failed",
          user_id: user.id,
          job_id: randomUUID(),
          data: { model_name: model, error: "RuntimeError: NCCL error" },
        },
      });
      expect(res.status).toBe(202);
    };

    const first = await spawnWorker(databaseUrl);
    // The first failure goes out at once and starts the window.
    await post(models[0] as string);
    await waitUntil(
      "the first failure at every destination",
      () => KINDS.every((k) => receivers[k].requests.length === 1),
      { timeoutMs: 60_000 },
    );
    // ...and is recorded: a send whose answer a kill leaves unrecorded is rightly sent
    // again (at least once), which is not what this test is about.
    await waitUntil(
      "the first failure's deliveries to be recorded",
      async () =>
        (
          await app.ctx.db.query(
            "select 1 from alert_deliveries where user_id = $1 and status = 'delivered'",
            [user.id],
          )
        ).rows.length === KINDS.length,
      { timeoutMs: 60_000 },
    );
    for (const model of models.slice(1)) await post(model);
    const openBatches = async () =>
      (
        await app.ctx.db.query<{ id: string; member_count: number; closed_at: Date | null }>(
          "select id, member_count, closed_at from alert_group_batches where user_id = $1",
          [user.id],
        )
      ).rows;
    // Members joined every destination's batch (more may still be in the inbox).
    await waitUntil(
      "members in every destination's open batch",
      async () => {
        const batches = await openBatches();
        return (
          batches.length === KINDS.length &&
          batches.every((b) => b.closed_at === null && b.member_count >= 5)
        );
      },
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    expect((await first.signal("SIGKILL")).signal).toBe("SIGKILL");
    // The kill landed inside the window: nothing closed the batches, nothing of them was sent.
    const atKill = await openBatches();
    expect(atKill.every((b) => b.closed_at === null)).toBe(true);
    for (const kind of KINDS) expect(receivers[kind].requests).toHaveLength(1);

    await spawnWorker(databaseUrl);
    const accounted = (kind: Kind) => receivers[kind].requests.flatMap((r) => named(kind, r));
    await waitUntil(
      "every alert at every destination, and nothing left to send",
      async () => KINDS.every((k) => accounted(k).length >= ALERTS) && (await settled(app)),
      { timeoutMs: 90_000 },
    );

    for (const kind of KINDS) {
      const listed = accounted(kind);
      expect(listed.sort(), `${kind}: each alert in exactly one message`).toEqual(models);
      // No message was sent twice (a group message keeps its webhook-id across a takeover).
      for (const [id, requests] of requestsByWebhookId(receivers[kind].requests)) {
        expect(requests, `${kind}: ${id} sent once`).toHaveLength(1);
      }
      expect(receivers[kind].requests.length).toBeGreaterThanOrEqual(2);
    }
    const { rows } = await app.ctx.db.query<{ alert_type: string; status: string; n: number }>(
      `select h.alert_type, d.status, count(*)::int as n
       from alert_deliveries d join alert_history h on h.id = d.alert_id
       where h.user_id = $1 group by 1, 2 order by 1, 2`,
      [user.id],
    );
    // Every member delivery ended delivered with its group message; none was left grouped.
    expect(rows.filter((r) => r.alert_type === "job_failed")).toEqual([
      { alert_type: "job_failed", status: "delivered", n: ALERTS * KINDS.length },
    ]);
    expect(rows.filter((r) => r.status !== "delivered")).toEqual([]);
    for (const kind of KINDS) await receivers[kind].close();
  }, 240_000);
});

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { POST as createWebhook } from "@/app/api/alerts/webhooks/route";
import { processInbox } from "@/lib/alerts/alert.service";
import { recordOutcomes } from "@/lib/alerts/delivery/record";
import { refreshAlertSummary } from "@/lib/alerts/sql/alerts";
import { claimDueDeliveries } from "@/lib/alerts/sql/claim-due-deliveries";
import { recordAttempts } from "@/lib/alerts/sql/record-attempts";
import { call, makeUser, SERVICE_KEY, startTestApp, type TestApp } from "../helpers/app";
import { manualEngine } from "../helpers/engine";
import { waitUntil } from "../helpers/wait";
import { requirePostgres } from "../helpers/worker-process";

// Two transactions overlap only on PostgreSQL (PGlite runs one at a time), so
// this lives in the PostgreSQL suite.
describe("an alert's summary on PostgreSQL", () => {
  let app: TestApp;
  let engine: Awaited<ReturnType<typeof manualEngine>>;
  beforeAll(async () => {
    requirePostgres();
    app = await startTestApp({
      ALERTS_WEBHOOK_ALLOW_HTTP: "true",
      ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.0/8",
    });
    engine = await manualEngine(app);
  });
  afterAll(async () => {
    await engine?.stop();
    await app?.close();
  });

  /** An alert with an email and a webhook delivery, both claimed for their first attempt. */
  async function claimedPair() {
    const user = await makeUser(app);
    const hook = await call(createWebhook, "POST", "/api/alerts/webhooks", {
      token: user.token,
      body: { name: "r", url: "http://127.0.0.1:9/hook", webhook_type: "generic" },
    });
    expect(hook.status).toBe(201);
    await call(postEvent, "POST", "/api/alerts/events", {
      token: SERVICE_KEY,
      body: { type: "job_failed", user_id: user.id, job_id: randomUUID(), data: {} },
    });
    await processInbox(engine.deps);
    const { rows } = await app.ctx.db.query<{ id: string; alert_id: string }>(
      "select id, alert_id from alert_deliveries where user_id = $1 order by channel",
      [user.id],
    );
    const [email, webhook] = rows;
    if (!email || !webhook) throw new Error("expected an email and a webhook delivery");
    // Both are claimed for their first attempt, as a worker would.
    const now = app.ctx.clock();
    const claimed = await app.ctx.db.transaction((tx) =>
      claimDueDeliveries(tx, { now, leaseUntil: new Date(now.getTime() + 30_000), limit: 10 }),
    );
    expect(claimed.map((d) => d.id).sort()).toEqual(rows.map((r) => r.id).sort());
    const delivered = (id: string) => [
      {
        id,
        attempts: 1,
        status: "delivered" as const,
        statusCode: 200,
        error: null,
        durationMs: 1,
        nextAttemptAt: null,
      },
    ];
    return { email, webhook, claimed, now, delivered };
  }

  /**
   * The first of two deliveries of one alert finishing at once: it records
   * the email's outcome and refreshes the summary (`refreshed`), and commits
   * only once another transaction waits on a lock (reading the summary or
   * writing it).
   */
  function recordFirst({ email, now, delivered }: Awaited<ReturnType<typeof claimedPair>>) {
    let firstRefreshed = () => {};
    const refreshed = new Promise<void>((resolve) => {
      firstRefreshed = resolve;
    });
    const committed = app.ctx.db.transaction(async (tx) => {
      await recordAttempts(tx, delivered(email.id), now);
      await refreshAlertSummary(tx, [email.alert_id]);
      firstRefreshed();
      await waitUntil("the second transaction to wait on a lock", async () => {
        const { rows } = await app.ctx.db.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
           where datname = current_database() and wait_event_type = 'Lock'`,
        );
        return (rows[0]?.n ?? 0) > 0;
      });
    });
    return { refreshed, committed };
  }

  const summaryOf = async (alertId: string) =>
    (
      await app.ctx.db.query(
        "select status, email_sent, webhook_sent from alert_history where id = $1",
        [alertId],
      )
    ).rows[0];

  it("counts both of two deliveries that finish at the same moment", async () => {
    const pair = await claimedPair();
    const { email, webhook, now, delivered } = pair;
    // The second finishes while the first is still committing: each writes
    // its own outcome before it can see the other's.
    const first = recordFirst(pair);
    await Promise.all([
      first.committed,
      app.ctx.db.transaction(async (tx) => {
        await recordAttempts(tx, delivered(webhook.id), now);
        await first.refreshed;
        await refreshAlertSummary(tx, [webhook.alert_id]);
      }),
    ]);

    expect(await summaryOf(email.alert_id)).toEqual({
      status: "sent",
      email_sent: true,
      webhook_sent: true,
    });
  });

  it("counts both when the second is recorded in the common case's two statements", async () => {
    const pair = await claimedPair();
    const webhookClaim = pair.claimed.find((d) => d.id === pair.webhook.id);
    if (!webhookClaim) throw new Error("expected the webhook delivery claimed");
    // As above; the second is recordOutcomes' path for a batch that all
    // succeeded: its outcome, its webhook's health and its alert's lock in
    // one statement, which waits on the first's lock; then the summary.
    const first = recordFirst(pair);
    const [, outcomes] = await Promise.all([
      first.committed,
      first.refreshed.then(() =>
        recordOutcomes(engine.deps, [
          {
            claimed: webhookClaim,
            result: { verdict: "delivered", statusCode: 200, error: null, durationMs: 1 },
          },
        ]),
      ),
    ]);
    expect(outcomes).toEqual(["delivered"]);

    expect(await summaryOf(pair.email.alert_id)).toEqual({
      status: "sent",
      email_sent: true,
      webhook_sent: true,
    });
  });
});

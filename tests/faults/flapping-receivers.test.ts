import { setTimeout as sleep } from "node:timers/promises";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app";
import { faultSeed, randomFor, seededRandom } from "../helpers/random";
import { type Answer, type ReceivedRequest, startReceiver } from "../helpers/receiver";
import { startSmtpServer } from "../helpers/smtp";
import { waitUntil } from "../helpers/wait";
import {
  killAllWorkers,
  spawnWorker,
  type WorkerProcess,
  warningCounts,
} from "../helpers/worker-process";
import {
  byWebhookId,
  postJobStarted,
  requestsByWebhookId,
  settled,
  startProcessApp,
  userWithWebhook,
  webhookIdOf,
} from "../processes/support";

// Issue 7, item 4: receivers that flap — 500s, connection resets, answers
// that never come or never finish, 200s after 9 s — for 1,000 alerts. Every
// delivery gets through within the configured schedule, each exactly once;
// `failure_count` counts consecutive deliveries that finally failed, and
// reaching ALERTS_WEBHOOK_DISABLE_AFTER disables the webhook and emails its owner.

/** Seconds before each retry: uneven, so a retry that used the wrong step would show. */
const SCHEDULE = [1, 3, 1, 2];
const DISABLE_AFTER = 3;
const RECEIVERS = 10;
const ALERTS_PER_RECEIVER = 100;

let app: TestApp;
let databaseUrl: string;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let workers: WorkerProcess[] = [];
const seed = faultSeed();

beforeAll(async () => {
  ({ app, databaseUrl } = await startProcessApp());
  smtp = await startSmtpServer();
  const env = {
    ALERTS_WEBHOOK_RETRY_SCHEDULE: SCHEDULE.join(","),
    ALERTS_WEBHOOK_DISABLE_AFTER: String(DISABLE_AFTER),
    SMTP_URL: smtp.url,
  };
  // Two workers share the deliveries, as a deployment would.
  workers = await Promise.all([spawnWorker(databaseUrl, env), spawnWorker(databaseUrl, env)]);
});
afterAll(async () => {
  for (const worker of workers) {
    // A worker that cannot stop cleanly is a failure of its own.
    if (worker.child.exitCode === null) {
      expect(await worker.signal("SIGTERM")).toEqual({ code: 0, signal: null });
    }
  }
  await killAllWorkers();
  await smtp?.close();
  await app?.close();
});

type Failure = "500" | "reset" | "hang" | "stall";
type Outcome = Failure | "slow 200" | "200";

/**
 * How a receiver treats the n-th request (1-based) of one delivery: each
 * delivery has a failure budget of 0 to SCHEDULE.length attempts, so that it
 * always gets its 200 within the schedule; failures are 500s, resets, and
 * answers that never come or never finish (the client's 10 s limit ends them).
 */
function flap(webhookId: string, n: number): Outcome {
  const budget = randomFor(seed, webhookId);
  const failures = budget.chance(0.4) ? 0 : budget.int(1, SCHEDULE.length);
  const r = randomFor(seed, webhookId, n);
  if (n > failures) return r.chance(0.1) ? "slow 200" : "200";
  const x = r.next();
  return x < 0.45 ? "500" : x < 0.8 ? "reset" : x < 0.9 ? "hang" : "stall";
}

/** How many failures `flap` gives a delivery before its 200. */
function budgetOf(webhookId: string): number {
  let n = 1;
  while (!flap(webhookId, n).includes("200")) n++;
  return n - 1;
}

async function answer(outcome: Outcome): Promise<Answer> {
  switch (outcome) {
    case "500":
      return { status: 500, body: '{"error":"flapping"}' };
    case "reset":
    case "hang":
    case "stall":
      return outcome;
    case "slow 200":
      // Just inside the client's 10 s limit.
      await sleep(9_000);
      return { status: 200 };
    case "200":
      return { status: 200 };
  }
}

/** The `webhook-timestamp` (whole seconds, the worker's clock when it sent) of each request. */
const sentAt = (r: ReceivedRequest) => Number(r.headers["webhook-timestamp"]);

/**
 * A delivery's requests grouped into its attempts. An attempt signs once, so
 * its requests share a timestamp: the client sends a request again at once,
 * within the attempt, when a pooled connection is reset before any answer
 * (it may have been closed while idle). Attempts are at least a second apart.
 */
function attemptsIn(requests: readonly ReceivedRequest[]): ReceivedRequest[][] {
  const attempts: ReceivedRequest[][] = [];
  for (const r of requests) {
    const last = attempts.at(-1);
    if (last?.[0] && sentAt(last[0]) === sentAt(r)) last.push(r);
    else attempts.push([r]);
  }
  return attempts;
}

/**
 * Retry spacing by the signed timestamps: an attempt sent at t fails no
 * earlier than t, and the retry is due `SCHEDULE[k]` seconds after the
 * failure was recorded, so whole-second timestamps differ by at least that.
 * Answers, per retry, the seconds beyond the schedule.
 */
function spacing(attempts: readonly ReceivedRequest[][]): number[] {
  const slack: number[] = [];
  for (let k = 1; k < attempts.length; k++) {
    const gap =
      sentAt(attempts[k]?.[0] as ReceivedRequest) - sentAt(attempts[k - 1]?.[0] as ReceivedRequest);
    slack.push(gap - (SCHEDULE[k - 1] ?? Number.NaN));
  }
  return slack;
}

describe("webhook receivers that flap", () => {
  it("get each of 1,000 alerts exactly once, within the retry schedule, and their webhooks stay healthy", {
    timeout: 900_000,
  }, async () => {
    console.log(
      `flapping receivers: FAULT_SEED=${seed}, schedule ${SCHEDULE.join(",")} s, ${RECEIVERS} receivers × ${ALERTS_PER_RECEIVER} alerts`,
    );
    const outcomes = new Map<Outcome, number>();
    const outcomeOf = new Map<ReceivedRequest, Outcome>();
    const seen = new Map<string, number>();
    const receivers = await Promise.all(
      Array.from({ length: RECEIVERS }, () =>
        startReceiver(
          (req) => {
            const id = String(req.headers["webhook-id"]);
            const n = (seen.get(id) ?? 0) + 1;
            seen.set(id, n);
            const outcome = flap(id, n);
            outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
            outcomeOf.set(req, outcome);
            return answer(outcome);
          },
          // Attempts are counted: no idle connection may be closed under a client reusing it.
          { keepAliveTimeoutMs: 120_000 },
        ),
      ),
    );
    const owners = [];
    for (const receiver of receivers)
      owners.push(await userWithWebhook(app, `${receiver.url}/hook`));

    const started = performance.now();
    // The alerts arrive in a shuffled stream, ten at a time.
    const order = seededRandom(seed);
    const queue = owners.flatMap((o) => Array.from({ length: ALERTS_PER_RECEIVER }, () => o));
    for (let i = queue.length - 1; i > 0; i--) {
      const j = order.int(0, i);
      [queue[i], queue[j]] = [queue[j] as (typeof queue)[0], queue[i] as (typeof queue)[0]];
    }
    const accepted: string[] = [];
    for (let i = 0; i < queue.length; i += 10) {
      const ids = await Promise.all(queue.slice(i, i + 10).map((o) => postJobStarted(o.user.id)));
      accepted.push(...ids);
    }
    expect(new Set(accepted).size).toBe(RECEIVERS * ALERTS_PER_RECEIVER);

    await waitUntil("every delivery to be final", () => settled(app), {
      timeoutMs: 800_000,
      intervalMs: 1_000,
    });
    const seconds = Math.round((performance.now() - started) / 1000);
    // What the workers complained about on the way (a cause, when an assertion below fails).
    const complaints = warningCounts(workers.flatMap((w) => w.logs()));
    if (Object.keys(complaints).length > 0)
      console.log("flapping receivers: worker warnings", complaints);

    const { rows: deliveries } = await app.ctx.db.query<{
      id: string;
      status: string;
      attempts: number;
      last_status_code: number | null;
      last_error: string | null;
      last_duration_ms: number | null;
    }>(
      `select d.id, d.status, d.attempts, d.last_status_code, d.last_error, d.last_duration_ms
       from alert_deliveries d join alert_history h on h.id = d.alert_id
       where h.event_id = any($1::uuid[])`,
      [accepted],
    );
    expect(deliveries).toHaveLength(accepted.length);
    expect(
      deliveries.filter((d) => d.status !== "delivered" || d.last_status_code !== 200),
    ).toEqual([]);

    const requests = receivers.flatMap((r) => r.requests);
    const perId = byWebhookId(requests);
    const requestsOf = requestsByWebhookId(requests);
    const attemptsOf = new Map([...requestsOf].map(([id, rs]) => [id, attemptsIn(rs)]));
    expect([...perId.keys()].sort()).toEqual(deliveries.map((d) => webhookIdOf(d.id)).sort());
    // Exactly one 200 each, and the 200 ended the delivery. (On failure, each
    // request of the delivery: what the receiver did, when it arrived and
    // closed relative to the delivery's first request, and its signed time.)
    const t0 = Math.min(...requests.map((r) => r.at));
    const story = (id: string) =>
      (requestsOf.get(id) ?? []).map((r) => ({
        outcome: outcomeOf.get(r),
        status: r.status,
        atMs: Math.round(r.at - t0),
        openMs: Math.round((r.closedAt ?? Number.NaN) - r.at),
        sentAt: sentAt(r),
      }));
    expect(
      [...perId]
        .filter(([, c]) => c.ok !== 1)
        .map(([id]) => ({
          id,
          requests: story(id),
          row: deliveries.find((d) => webhookIdOf(d.id) === id),
        })),
    ).toEqual([]);
    expect([...requestsOf].filter(([, rs]) => rs.at(-1)?.status !== 200).map(([id]) => id)).toEqual(
      [],
    );
    // Each failure was retried and nothing more: its budget of failures, then the 200.
    expect(
      [...requestsOf].filter(([id, rs]) => rs.length !== budgetOf(id) + 1).map(([id]) => id),
    ).toEqual([]);
    // Within one attempt, a request goes again only after a reset before any answer.
    expect(
      [...attemptsOf]
        .filter(([, as]) =>
          as.some((a) => a.slice(0, -1).some((r) => outcomeOf.get(r) !== "reset")),
        )
        .map(([id]) => story(id)),
    ).toEqual([]);
    // The attempts a delivery recorded are exactly those its receiver saw.
    const recorded = new Map(deliveries.map((d) => [webhookIdOf(d.id), d.attempts]));
    expect(
      [...attemptsOf].filter(([id, as]) => recorded.get(id) !== as.length).map(([id]) => id),
    ).toEqual([]);

    // Every retry waited at least its step of the schedule.
    const slack = [...attemptsOf.values()].map(spacing);
    const early = [...attemptsOf].filter((_, i) => slack[i]?.some((s) => !(s >= 0)));
    expect(early.map(([id]) => ({ id, requests: story(id), schedule: SCHEDULE }))).toEqual([]);

    // No delivery finally failed, so no webhook counts a failure or was disabled.
    const { rows: webhooks } = await app.ctx.db.query<{
      enabled: boolean;
      failure_count: number;
    }>("select enabled, failure_count from user_webhooks where id = any($1::uuid[])", [
      owners.map((o) => o.webhookId),
    ]);
    expect(webhooks).toEqual(
      Array.from({ length: RECEIVERS }, () => ({ enabled: true, failure_count: 0 })),
    );

    const histogram = new Map<number, number>();
    for (const as of attemptsOf.values())
      histogram.set(as.length, (histogram.get(as.length) ?? 0) + 1);
    const sentAgain = [...attemptsOf.values()].flat().reduce((n, a) => n + a.length - 1, 0);
    // How long the client waited on answers that never came (or never finished).
    const waited = requests
      .filter((r) => ["hang", "stall"].includes(outcomeOf.get(r) ?? ""))
      .map((r) => Math.round((r.closedAt ?? Number.NaN) - r.at));
    const slackByStep = SCHEDULE.map((_, k) =>
      slack.flatMap((s) => (s[k] === undefined ? [] : [s[k]])),
    );
    console.log(
      `flapping receivers: ${accepted.length} alerts, all delivered in ${seconds} s; ` +
        `${requests.length} requests by outcome: ${JSON.stringify(Object.fromEntries(outcomes))}; ` +
        `attempts per delivery: ${JSON.stringify(Object.fromEntries([...histogram].sort(([a], [b]) => a - b)))}; ` +
        `${sentAgain} resets on a pooled connection sent again within their attempt; ` +
        `200s per webhook-id: exactly 1 for all ${perId.size}; ` +
        `hung and stalled answers abandoned by the client after ${Math.min(...waited)}–${Math.max(...waited)} ms; ` +
        `retry spacing beyond the schedule, per step (s): ${slackByStep
          .map((s) => `min ${Math.min(...s)} / max ${Math.max(...s)} (${s.length} retries)`)
          .join("; ")}`,
    );
    await Promise.all(receivers.map((r) => r.close()));
  });

  it(`disables a webhook after ${DISABLE_AFTER} deliveries in a row finally failed, emails its owner, and counts again from zero after a success`, {
    timeout: 300_000,
  }, async () => {
    let failing = true;
    const r = seededRandom(seed + 1);
    const receiver = await startReceiver(
      () => {
        if (!failing) return { status: 200 };
        return r.chance(0.5) ? { status: 503 } : "reset";
      },
      { keepAliveTimeoutMs: 120_000 },
    );
    const { user, webhookId } = await userWithWebhook(app, `${receiver.url}/hook`);
    const health = async () => {
      const { rows } = await app.ctx.db.query<{
        enabled: boolean;
        failure_count: number;
        disabled_reason: string | null;
      }>("select enabled, failure_count, disabled_reason from user_webhooks where id = $1", [
        webhookId,
      ]);
      return rows[0];
    };
    const deliveryStatuses = async (eventIds: string[]) => {
      const { rows } = await app.ctx.db.query<{ id: string; status: string; attempts: number }>(
        `select d.id, d.status, d.attempts from alert_deliveries d
         join alert_history h on h.id = d.alert_id where h.event_id = any($1::uuid[])`,
        [eventIds],
      );
      return rows;
    };
    const finallyFailed = (eventIds: string[]) =>
      waitUntil(
        `${eventIds.length} deliveries to fail finally`,
        async () => {
          const rows = await deliveryStatuses(eventIds);
          return (
            rows.length === eventIds.length && rows.every((d) => d.status === "failed") && rows
          );
        },
        { timeoutMs: 120_000, intervalMs: 250 },
      );

    // One short of the limit: counted, still enabled.
    const first = [await postJobStarted(user.id), await postJobStarted(user.id)];
    const failed = await finallyFailed(first);
    // Each gave up after its first attempt and every retry of the schedule.
    expect(failed.map((d) => d.attempts)).toEqual([SCHEDULE.length + 1, SCHEDULE.length + 1]);
    for (const rs of requestsByWebhookId(receiver.requests).values()) {
      const attempts = attemptsIn(rs);
      expect(attempts).toHaveLength(SCHEDULE.length + 1);
      expect(spacing(attempts).every((s) => s >= 0)).toBe(true);
    }
    expect(await health()).toMatchObject({ enabled: true, failure_count: DISABLE_AFTER - 1 });

    // A success starts the count again.
    failing = false;
    const ok = await postJobStarted(user.id);
    await waitUntil("the delivery to succeed", async () => {
      const [d] = await deliveryStatuses([ok]);
      return d?.status === "delivered";
    });
    expect(await health()).toMatchObject({ enabled: true, failure_count: 0 });

    // DISABLE_AFTER in a row: disabled, with the reason, and the owner is told once.
    failing = true;
    const more: string[] = [];
    for (let i = 0; i < DISABLE_AFTER; i++) more.push(await postJobStarted(user.id));
    await finallyFailed(more);
    const disabled = await health();
    expect(disabled).toMatchObject({ enabled: false, failure_count: DISABLE_AFTER });
    expect(disabled?.disabled_reason).toContain(`${DISABLE_AFTER} deliveries in a row failed`);

    const { rows: notices } = await app.ctx.db.query<{ id: string; data: { webhook_id: string } }>(
      "select id, data from alert_history where user_id = $1 and alert_type = 'webhook_disabled'",
      [user.id],
    );
    expect(notices.map((n) => n.data.webhook_id)).toEqual([webhookId]);
    await waitUntil("the owner to be emailed", () =>
      smtp.mails.some((m) => m.to.includes(user.email)),
    );
    const mails = smtp.mails.filter((m) => m.to.includes(user.email));
    expect(mails).toHaveLength(1);
    const mail = await simpleParser(mails[0]?.raw ?? "");
    expect(mail.subject).toContain("Webhook disabled: receiver");
    expect(mail.text).toContain(`${DISABLE_AFTER} deliveries in a row failed`);

    // A disabled webhook gets nothing more: the next alert has no channel left.
    const requestsBefore = receiver.requests.length;
    const after = await postJobStarted(user.id);
    const outcome = await waitUntil("the next event to be processed", async () => {
      const { rows } = await app.ctx.db.query<{ outcome: string | null }>(
        "select outcome from alert_events where id = $1 and processed_at is not null",
        [after],
      );
      return rows[0];
    });
    expect(outcome).toEqual({ outcome: "no_channels" });
    expect(await deliveryStatuses([after])).toEqual([]);
    expect(receiver.requests).toHaveLength(requestsBefore);
    console.log(
      `disabling: ${DISABLE_AFTER - 1} failed deliveries → failure_count ${DISABLE_AFTER - 1}; ` +
        `one success → 0; ${DISABLE_AFTER} failed → disabled ("${disabled?.disabled_reason}"), ` +
        `1 notice, 1 email to the owner; the next event finds no channel and sends nothing`,
    );
    await receiver.close();
  });
});

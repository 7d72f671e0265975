import { randomUUID } from "node:crypto";
import { signUserToken } from "../lib/http/tokens";
import { type Client, closedLoop, type LoopResult, percentile, sleep } from "./http-client";
import type { BenchReceiver } from "./receiver";

export interface Target {
  base: string;
  client: Client;
  jwtSecret: string;
  serviceKey: string;
  receiver: BenchReceiver;
}

const json = { "content-type": "application/json" };

/**
 * A user with email off and `webhooks` generic, signed webhooks on the
 * receiver. `groupWindowSeconds` 0 turns grouping off for the user (the
 * throughput parts measure the engine, one webhook per alert); undefined
 * keeps the default window (grouping on).
 */
export async function makeUser(
  t: Target,
  webhooks: number,
  opts: { groupWindowSeconds?: number } = {},
): Promise<string> {
  const userId = randomUUID();
  const token = await signUserToken(t.jwtSecret, { sub: userId, email: `${userId}@bench.test` });
  const auth = { ...json, authorization: `Bearer ${token}` };
  const put = (body: Record<string, unknown>) =>
    t.client.request("PUT", `${t.base}/api/alerts/preferences`, JSON.stringify(body), auth);
  const window =
    opts.groupWindowSeconds === undefined ? {} : { group_window_seconds: opts.groupWindowSeconds };
  let prefs = await put({ email_enabled: false, ...window });
  // A build from before grouping (`--server-root`) refuses the field, and groups nothing anyway.
  if (prefs.status === 422 && prefs.body.includes("group_window_seconds"))
    prefs = await put({ email_enabled: false });
  if (prefs.status !== 200) throw new Error(`preferences: ${prefs.status} ${prefs.body}`);
  for (let i = 0; i < webhooks; i++) {
    const res = await t.client.request(
      "POST",
      `${t.base}/api/alerts/webhooks`,
      JSON.stringify({
        name: `bench ${i}`,
        url: `${t.receiver.url}/hook/${userId}/${i}`,
        webhook_type: "generic",
        secret: "generate",
      }),
      auth,
    );
    if (res.status !== 201) throw new Error(`webhook create: ${res.status} ${res.body}`);
  }
  return userId;
}

/** A job_failed event; `group` is its `data.group` (its group label when grouping is on). */
export function postEvent(t: Target, userId: string, marker?: string, group?: string) {
  return t.client.request(
    "POST",
    `${t.base}/api/alerts/events`,
    JSON.stringify({
      type: "job_failed",
      user_id: userId,
      job_id: randomUUID(),
      data: {
        model_name: "bench",
        error: "bench",
        ...(marker ? { marker } : {}),
        ...(group ? { group } : {}),
      },
    }),
    { ...json, authorization: `Bearer ${t.serviceKey}` },
  );
}

/**
 * Waits until the inbox has caught up: a marker event posted now reaches the
 * receiver only after the events before it (the inbox is claimed oldest first).
 */
export async function drain(t: Target, sentinelUser: string, timeoutMs = 120_000): Promise<void> {
  const marker = `drain-${randomUUID()}`;
  const res = await postEvent(t, sentinelUser, marker);
  if (res.status !== 202) throw new Error(`drain: ${res.status} ${res.body}`);
  const deadline = Date.now() + timeoutMs;
  while (!t.receiver.arrivals.has(marker)) {
    if (Date.now() > deadline) throw new Error(`the inbox did not drain in ${timeoutMs} ms`);
    await sleep(50);
  }
}

export interface IngestResult {
  ingest: LoopResult;
  health: LoopResult;
  ratio: number;
}

/** Events/s accepted vs GET /api/health, same server, same concurrency and duration. */
export async function ingest(
  t: Target,
  opts: { concurrency: number; durationMs: number; maxRequests: number },
): Promise<IngestResult> {
  // Events for a user with no channels: the route's work, plus the inline
  // worker's decision, without deliveries piling up behind the measurement.
  const userId = await makeUser(t, 0);
  const warm = await closedLoop(opts.concurrency, 2_000, 200, async () => {
    await t.client.request("GET", `${t.base}/api/health`);
    return (await postEvent(t, userId)).status === 202;
  });
  if (warm.errors > 0) throw new Error(`ingest warm-up failed: ${warm.firstError ?? "non-202"}`);
  const health = await closedLoop(opts.concurrency, opts.durationMs, opts.maxRequests, async () => {
    return (await t.client.request("GET", `${t.base}/api/health`)).status === 200;
  });
  const result = await closedLoop(opts.concurrency, opts.durationMs, opts.maxRequests, async () => {
    return (await postEvent(t, userId)).status === 202;
  });
  return { ingest: result, health, ratio: result.perSecond / health.perSecond };
}

export interface DeliveryResult {
  events: number;
  deliveries: number;
  seconds: number;
  /** When the last event POST was answered, from the first: the rest is the engine catching up. */
  postedSeconds: number;
  perSecond: number;
  distinctIds: number;
  raw: LoopResult;
  ratio: number;
  /** The server's CPU time per delivery, ms, from the first event to the last webhook (when `cpuMs` is given). */
  cpuMsPerDelivery?: number;
  /** PostgreSQL's CPU time per delivery, ms, over the same span (set by the caller on PostgreSQL). */
  postgresCpuMsPerDelivery?: number;
  /** The bench process's own CPU time per delivery, ms, over the same span: its client and receiver share the machine. */
  benchCpuMsPerDelivery: number;
}

/**
 * Fan-out delivery end to end: `events` events over `users` users with
 * `webhooks` webhooks each, from the first POST to the last webhook received;
 * against a raw keep-alive POST loop from Node to the same receiver. The
 * users are ungrouped (window 0): each alert is one webhook per destination,
 * as the raw loop's one POST per request.
 */
export async function delivery(
  t: Target,
  opts: {
    users: number;
    webhooks: number;
    events: number;
    rawConcurrency: number;
    timeoutMs: number;
  },
  users?: string[],
  cpuMs?: () => number,
): Promise<DeliveryResult> {
  const ids = users ?? [];
  for (let i = ids.length; i < opts.users; i++)
    ids.push(await makeUser(t, opts.webhooks, { groupWindowSeconds: 0 }));
  const expected = opts.events * opts.webhooks;

  // Baseline first: the same receiver, bodies of the same size, Node's keep-alive client.
  const body = JSON.stringify({
    type: "job_failed",
    data: { model_name: "bench", error: "x".repeat(600) },
  });
  t.receiver.reset();
  const raw = await closedLoop(opts.rawConcurrency, opts.timeoutMs, expected, async (i) => {
    const res = await t.client.request("POST", `${t.receiver.url}/raw/${i}`, body, {
      ...json,
      "webhook-id": `raw_${i}`,
    });
    return res.status === 200;
  });

  t.receiver.reset();
  const cpu0 = cpuMs?.();
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  await closedLoop(8, opts.timeoutMs, opts.events, async (i) => {
    const res = await postEvent(t, ids[i % ids.length] as string);
    return res.status === 202;
  });
  const posted = (performance.now() - t0) / 1000;
  await t.receiver.waitFor(expected, opts.timeoutMs);
  const seconds = (performance.now() - t0) / 1000;
  const own = process.cpuUsage(own0);
  const perSecond = expected / seconds;
  const cpu = cpuMs && cpu0 !== undefined ? (cpuMs() - cpu0) / expected : undefined;
  return {
    ...(cpu === undefined ? {} : { cpuMsPerDelivery: Math.round(cpu * 100) / 100 }),
    benchCpuMsPerDelivery: Math.round(((own.user + own.system) / 1000 / expected) * 100) / 100,
    events: opts.events,
    deliveries: expected,
    seconds,
    postedSeconds: posted,
    perSecond,
    distinctIds: t.receiver.ids.size,
    raw,
    ratio: perSecond / raw.perSecond,
  };
}

export interface LatencyResult {
  events: number;
  rate: number;
  p50: number;
  p99: number;
  max: number;
  ackP50: number;
}

/**
 * POST → webhook received, at a steady `rate` events/s, one webhook, with
 * grouping on (the default window): each event has its own `data.group`, so
 * each is a lone alert of its group and goes out at once, the path a lone
 * alert takes in production (the grouping plan included).
 */
export async function latency(
  t: Target,
  opts: { events: number; rate: number; timeoutMs: number },
  userId?: string,
): Promise<LatencyResult> {
  const user = userId ?? (await makeUser(t, 1));
  t.receiver.reset();
  const sentAt = new Map<string, number>();
  const acks: number[] = [];
  const posts: Promise<void>[] = [];
  const started = performance.now();
  const run = `${Date.now()}`;
  for (let i = 0; i < opts.events; i++) {
    const wait = started + (i * 1000) / opts.rate - performance.now();
    if (wait > 0) await sleep(wait);
    const marker = `lat-${run}-${i}`;
    const at = performance.now();
    sentAt.set(marker, at);
    posts.push(
      postEvent(t, user, marker, marker).then((res) => {
        acks.push(performance.now() - at);
        if (res.status !== 202) throw new Error(`ingest: ${res.status} ${res.body}`);
      }),
    );
  }
  await Promise.all(posts);
  await t.receiver.waitFor(opts.events, opts.timeoutMs);
  const xs = [...sentAt].map(([m, at]) => (t.receiver.arrivals.get(m) ?? Number.NaN) - at);
  return {
    events: opts.events,
    rate: opts.rate,
    p50: percentile(xs, 50),
    p99: percentile(xs, 99),
    max: Math.max(...xs),
    ackP50: percentile(acks, 50),
  };
}

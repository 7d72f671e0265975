import { randomUUID } from "node:crypto";
import { signUserToken } from "../lib/http/tokens";
import { closedLoop } from "./http-client";
import type { Target } from "./scenarios";

// The burst figure (issue 19): a sweep's storm of job failures to one Slack
// webhook, with the user's default grouping window. Without grouping the
// channel takes one message a second (Slack's pacing), so 300 failures
// scroll by for about 300 s; grouped, they arrive as one immediate message
// and one per window.

export interface BurstResult {
  events: number;
  /** The user's grouping window (the default: the bench sets none). */
  windowSeconds: number;
  /** First POST to the message that made every alert reach the channel. */
  seconds: number;
  messages: number;
  /** Alerts the messages accounted for (listed, or counted in "+K more"): must equal `events`. */
  alerts: number;
  /** Alerts a message listed or counted more than once (must be 0). */
  doubled: number;
}

const json = { "content-type": "application/json" };

/**
 * A user with email off and one Slack-type webhook on the bench receiver,
 * leaving `group_window_seconds` at its default. The type is given: a
 * receiver URL infers none, and a type is never refused for its host
 * (self-hosted and test receivers are legitimate), so the worker formats
 * and paces these deliveries exactly as for hooks.slack.com.
 */
async function slackUser(t: Target, path: string): Promise<{ userId: string; window: number }> {
  const userId = randomUUID();
  const token = await signUserToken(t.jwtSecret, { sub: userId, email: `${userId}@bench.test` });
  const auth = { ...json, authorization: `Bearer ${token}` };
  const prefs = await t.client.request(
    "PUT",
    `${t.base}/api/alerts/preferences`,
    JSON.stringify({ email_enabled: false }),
    auth,
  );
  if (prefs.status !== 200) throw new Error(`preferences: ${prefs.status} ${prefs.body}`);
  const window = Number(JSON.parse(prefs.body).group_window_seconds);
  const hook = await t.client.request(
    "POST",
    `${t.base}/api/alerts/webhooks`,
    JSON.stringify({
      name: "burst slack",
      url: `${t.receiver.url}${path}`,
      webhook_type: "slack",
      alert_job_failed: true,
    }),
    auth,
  );
  if (hook.status !== 201) throw new Error(`webhook create: ${hook.status} ${hook.body}`);
  return { userId, window };
}

/**
 * How many alerts one Slack message accounts for, and the ones it names: a
 * group message's headline says its count ("❌ 299 training jobs failed"),
 * and its members are listed or counted in "+K more"; a single alert names
 * its model in the header.
 */
function accountedFor(body: string): { count: number; named: string[] } {
  const payload = JSON.parse(body) as { blocks?: { type: string; text?: { text: string } }[] };
  const header = payload.blocks?.find((b) => b.type === "header")?.text?.text ?? "";
  const named = [...new Set([...body.matchAll(/burst-\d{3}/g)].map((m) => m[0]))];
  const group = /^\S+ (\d+) training jobs failed/.exec(header);
  if (!group) return { count: 1, named };
  const count = Number(group[1]);
  const more = Number(/\+(\d+) more/.exec(body)?.[1] ?? 0);
  if (named.length + more !== count) {
    throw new Error(`a group message of ${count} lists ${named.length} and "+${more} more"`);
  }
  return { count, named };
}

/**
 * `events` job_failed events for one user, posted as fast as 8 connections
 * go; the clock runs from the first POST until the Slack messages account
 * for every alert.
 */
export async function burst(
  t: Target,
  opts: { events: number; timeoutMs: number },
): Promise<BurstResult> {
  const path = `/slack/${randomUUID()}`;
  const { userId, window } = await slackUser(t, path);
  let messages = 0;
  let alerts = 0;
  let doubled = 0;
  const seen = new Set<string>();
  let done: (at: number) => void = () => {};
  const complete = new Promise<number>((resolve) => {
    done = resolve;
  });
  let failure: Error | undefined;
  const unwatch = t.receiver.watch((req) => {
    if (req.path !== path) return;
    try {
      const { count, named } = accountedFor(req.body);
      messages++;
      alerts += count;
      for (const n of named) {
        if (seen.has(n)) doubled++;
        seen.add(n);
      }
      if (alerts >= opts.events) done(req.at);
    } catch (error) {
      failure = error as Error;
      done(req.at);
    }
  });
  try {
    const t0 = performance.now();
    const posted = await closedLoop(8, opts.timeoutMs, opts.events, async (i) => {
      const res = await t.client.request(
        "POST",
        `${t.base}/api/alerts/events`,
        JSON.stringify({
          type: "job_failed",
          user_id: userId,
          job_id: randomUUID(),
          data: {
            model_name: `burst-${String(i).padStart(3, "0")}`,
            error: `Traceback (most recent call last):\nRuntimeError: NCCL error on node ${i % 7}`,
          },
        }),
        { ...json, authorization: `Bearer ${t.serviceKey}` },
      );
      return res.status === 202;
    });
    if (posted.errors > 0) throw new Error(`burst ingest: ${posted.firstError ?? "non-202"}`);
    let timer: NodeJS.Timeout | undefined;
    const at = await Promise.race([
      complete,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `the Slack messages accounted for ${alerts} of ${opts.events} alerts in ${opts.timeoutMs} ms`,
              ),
            ),
          opts.timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    if (failure) throw failure;
    return {
      events: opts.events,
      windowSeconds: window,
      seconds: (at - t0) / 1000,
      messages,
      alerts,
      doubled,
    };
  } finally {
    unwatch();
  }
}

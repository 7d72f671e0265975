import { randomUUID } from "node:crypto";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { GET as getHistory } from "@/app/api/alerts/history/route";
import { PUT as putPrefs } from "@/app/api/alerts/preferences/route";
import { POST as createWebhook } from "@/app/api/alerts/webhooks/route";
import { DISCORD_LIMITS, embedLength } from "@/lib/alerts/formatters/discord.formatter";
import { SLACK_LIMITS } from "@/lib/alerts/formatters/slack.formatter";
import { call, makeUser, SERVICE_KEY, type TestUser } from "./helpers/app";
import { engineTestApp } from "./helpers/engine-app";
import { type ReceivedRequest, startReceiver } from "./helpers/receiver";

/**
 * Issue 19's "Done when": a burst of job failures for one user with a
 * Slack, a Discord and a generic webhook and email. Each destination gets
 * one immediate message and then one message per elapsed window; every
 * alert is listed or counted in exactly one message per destination; every
 * payload keeps its platform's limits. Real receivers and a real SMTP
 * server, the clock injected; the default rate limit (60 an hour) holds,
 * because it counts messages.
 */

const T0 = new Date("2026-03-02T12:00:00Z");
const t = engineTestApp({}, { start: T0 });

const KINDS = ["slack", "discord", "generic"] as const;
type Kind = (typeof KINDS)[number];

async function userWithEverything(windowSeconds?: number) {
  const user = await makeUser(t.app);
  await t.app.ctx.db.query("insert into auth.users (id, email) values ($1, $2)", [
    user.id,
    user.email,
  ]);
  if (windowSeconds !== undefined) {
    const res = await call(putPrefs, "PUT", "/api/alerts/preferences", {
      token: user.token,
      body: { group_window_seconds: windowSeconds },
    });
    expect(res.status).toBe(200);
  }
  const receivers = {} as Record<Kind, Awaited<ReturnType<typeof startReceiver>>>;
  for (const kind of KINDS) {
    receivers[kind] = await startReceiver(() => ({ status: 200, body: "ok" }));
    const res = await call(createWebhook, "POST", "/api/alerts/webhooks", {
      token: user.token,
      body: { name: kind, url: `${receivers[kind].url}/hook`, webhook_type: kind },
    });
    expect(res.status).toBe(201);
  }
  return { user, receivers };
}

/** `n` job_failed events spread evenly over `spanMs` of the clock, processed as they come. */
async function failures(user: TestUser, n: number, spanMs: number, group?: string) {
  const models: string[] = [];
  for (let i = 0; i < n; i++) {
    const model = `lr-${String(i).padStart(3, "0")}`;
    models.push(model);
    const res = await call(postEvent, "POST", "/api/alerts/events", {
      token: SERVICE_KEY,
      body: {
        type: "job_failed",
        user_id: user.id,
        job_id: randomUUID(),
        data: {
          model_name: model,
          error: `Traceback (most recent call last):\n  File "train.py", line 9\nRuntimeError: NCCL error on node ${i % 7}`,
          ...(group ? { group } : {}),
        },
      },
    });
    expect(res.status).toBe(202);
    if (i % 25 === 24) await t.engine.drain();
    t.tick(spanMs / n);
  }
  await t.engine.drain();
  return models;
}

/** Runs the engine second by second until `untilMs` after T0. */
async function runUntil(untilMs: number) {
  while (t.now.getTime() - T0.getTime() < untilMs) {
    t.tick(1000);
    await t.engine.drain();
  }
}

/** The models a message names, and the "+K more" it counts. */
function listedIn(kind: Kind, req: ReceivedRequest): { models: string[]; more: number } {
  const body = JSON.parse(req.body);
  if (kind === "generic") {
    if (body.type !== "alert.group") return { models: [body.data.model_name], more: 0 };
    return {
      models: body.data.alerts.map((a: { data: { model_name: string } }) => a.data.model_name),
      more: body.data.omitted,
    };
  }
  const models = [...req.body.matchAll(/lr-\d{3}/g)].map((m) => m[0]);
  const more = Number(/\+(\d+) more/.exec(req.body)?.[1] ?? 0);
  return { models: [...new Set(models)], more };
}

function expectWithinLimits(kind: Kind, req: ReceivedRequest) {
  const body = JSON.parse(req.body);
  if (kind === "slack") {
    expect(body.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(body.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
    for (const b of body.blocks) {
      if (b.type === "header") expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
      if (b.type === "section") {
        expect(b.text?.text.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
        expect(b.fields?.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.fields);
      }
    }
  } else if (kind === "discord") {
    const e = body.embeds[0];
    expect(e.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    expect(embedLength(e)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
  } else if (body.type === "alert.group") {
    expect(body.data.alerts.length).toBeLessThanOrEqual(100);
    expect(body.data.alerts.length + body.data.omitted).toBe(body.data.count);
  }
}

describe("grouping a burst", () => {
  it("turns 300 job failures in 10 s into one immediate message and one per window, per destination, each alert in exactly one", async () => {
    const { user, receivers } = await userWithEverything();
    const models = await failures(user, 300, 10_000, "lr-search");

    // The first alert went out at once, everywhere; the rest wait for the window's end.
    for (const kind of KINDS) expect(receivers[kind].requests).toHaveLength(1);
    expect(t.engine.mails.filter((m) => m.to.includes(user.email))).toHaveLength(1);

    await runUntil(130_000);

    for (const kind of KINDS) {
      const requests = receivers[kind].requests;
      // 130 s elapsed: at most one message per elapsed window after the immediate one.
      expect(requests.length).toBeGreaterThanOrEqual(2);
      expect(requests.length).toBeLessThanOrEqual(1 + Math.ceil(130 / 60));
      let counted = 0;
      const seen = new Set<string>();
      for (const req of requests) {
        expectWithinLimits(kind, req);
        const { models: listed, more } = listedIn(kind, req);
        for (const m of listed) {
          expect(seen.has(m), `${kind}: ${m} listed twice`).toBe(false);
          seen.add(m);
        }
        counted += listed.length + more;
      }
      expect(counted, kind).toBe(300);
      // The first failure went out on its own, at once.
      expect(seen.has(models[0] as string)).toBe(true);
    }
    const slackGroup = JSON.parse(receivers.slack.requests[1]?.body ?? "{}");
    expect(slackGroup.blocks[0].text.text).toBe("❌ 299 training jobs failed — sweep lr-search");

    const mails = await Promise.all(
      t.engine.mails.filter((m) => m.to.includes(user.email)).map((m) => simpleParser(m.raw)),
    );
    expect(mails.map((m) => m.subject)).toEqual([
      "❌ Training failed: lr-000",
      "❌ 299 training jobs failed — sweep lr-search",
    ]);
    for (const m of mails) expect(m.html ? Buffer.byteLength(m.html) : 0).toBeLessThan(102_000);

    // Every alert was sent, none suppressed by the rate limit; every delivery is done.
    const { rows } = await t.app.ctx.db.query<{ alert_type: string; status: string; n: number }>(
      `select alert_type, status, count(*)::int as n from alert_history where user_id = $1
       group by alert_type, status order by alert_type, status`,
      [user.id],
    );
    expect(rows).toEqual([
      { alert_type: "alert_group", status: "sent", n: 4 },
      { alert_type: "job_failed", status: "sent", n: 300 },
    ]);
    const pending = await t.app.ctx.db.query(
      `select 1 from alert_deliveries where user_id = $1 and status <> 'delivered'`,
      [user.id],
    );
    expect(pending.rows).toEqual([]);

    // History: a member says which group message carried it, with how many others.
    const history = await call<{
      items: { title: string; deliveries: { group: { size: number; status: string } | null }[] }[];
    }>(getHistory, "GET", "/api/alerts/history", {
      token: user.token,
      query: { alert_type: "job_failed", group: "lr-search", limit: "1" },
    });
    const newest = history.body.items[0];
    expect(newest?.title).toMatch(/^❌ Training failed: lr-\d{3}$/);
    expect(newest?.deliveries.map((d) => d.group)).toEqual(
      Array(4).fill({
        batch_id: expect.any(String),
        message_alert_id: expect.any(String),
        size: 299,
        status: "delivered",
      }),
    );
  }, 300_000);

  it("sends every alert on its own with grouping off (0), as before grouping existed", async () => {
    const { user, receivers } = await userWithEverything(0);
    await failures(user, 12, 2_000);
    await runUntil(60_000);
    for (const kind of KINDS) {
      expect(receivers[kind].requests).toHaveLength(12);
      for (const req of receivers[kind].requests) {
        expect(JSON.parse(req.body).type).not.toBe("alert.group");
      }
    }
    expect(t.engine.mails.filter((m) => m.to.includes(user.email))).toHaveLength(12);
    const { rows } = await t.app.ctx.db.query(
      `select 1 from alert_deliveries where user_id = $1 and (group_batch_id is not null or status <> 'delivered')
       union all select 1 from alert_groups where user_id = $1
       union all select 1 from alert_group_batches where user_id = $1`,
      [user.id],
    );
    expect(rows).toEqual([]);
  }, 300_000);

  it("sends a lone alert at once, and one that follows within the window alone at the window's end", async () => {
    const { user, receivers } = await userWithEverything();
    await failures(user, 1, 0);
    for (const kind of KINDS) expect(receivers[kind].requests).toHaveLength(1);
    t.tick(20_000);
    await failures(user, 1, 0);
    for (const kind of KINDS) expect(receivers[kind].requests).toHaveLength(1);
    await runUntil(59_000);
    for (const kind of KINDS) expect(receivers[kind].requests).toHaveLength(1);
    await runUntil(61_000);
    // A batch of one goes out as the alert itself.
    for (const kind of KINDS) {
      expect(receivers[kind].requests).toHaveLength(2);
      expect(receivers[kind].requests[1]?.body).toContain("lr-000");
      expect(JSON.parse(receivers[kind].requests[1]?.body ?? "{}").type).not.toBe("alert.group");
    }
  }, 300_000);
});

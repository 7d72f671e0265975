import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { POST as createWebhook } from "@/app/api/alerts/webhooks/route";
import { utf8Length } from "@/lib/alerts/formatters/fit";
import { MATTERMOST_LIMITS, mattermostLength } from "@/lib/alerts/formatters/mattermost.formatter";
import { NTFY_LIMITS } from "@/lib/alerts/formatters/ntfy.formatter";
import { PAGERDUTY_LIMITS } from "@/lib/alerts/formatters/pagerduty.formatter";
import { TEAMS_LIMITS } from "@/lib/alerts/formatters/teams.formatter";
import { TELEGRAM_LIMITS } from "@/lib/alerts/formatters/telegram.formatter";
import { adaptiveCardErrors } from "./helpers/adaptive-card";
import { call, makeUser, SERVICE_KEY } from "./helpers/app";
import { engineTestApp } from "./helpers/engine-app";
import { type ReceivedRequest, startReceiver } from "./helpers/receiver";
import { telegramHtmlProblems } from "./helpers/telegram-html";

/**
 * Grouping for the destinations of issue 20: a burst of job failures to a
 * Teams, a Telegram, an ntfy, a PagerDuty and a Mattermost webhook arrives
 * at each as one immediate message (the first alert, in its own layout) and
 * one group message at the window's end listing or counting all the others,
 * within the platform's limits. Real local receivers, the clock injected.
 */

const T0 = new Date("2026-03-02T12:00:00Z");
const t = engineTestApp({}, { start: T0 });

const KINDS = ["teams", "telegram", "ntfy", "pagerduty", "mattermost"] as const;
type Kind = (typeof KINDS)[number];
const ROUTING_KEY = "R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y32";

function webhookBody(kind: Kind, base: string): Record<string, unknown> {
  switch (kind) {
    case "telegram":
      return {
        url: `${base}/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage?chat_id=-4242`,
      };
    case "ntfy":
      return { url: `${base}/training-topic` };
    case "pagerduty":
      return { url: `${base}/v2/enqueue`, secret: ROUTING_KEY };
    case "teams":
      return { url: `${base}/workflows/abc/triggers/manual/paths/invoke?sig=s1gn4ture` };
    case "mattermost":
      return { url: `${base}/hooks/xmu7yjm9ab8hbxqzq3g5ym9tqa` };
  }
}

const bodyOf = (r: ReceivedRequest | undefined) =>
  // biome-ignore lint/suspicious/noExplicitAny: the platforms' payloads are asserted field by field.
  JSON.parse(r?.body ?? "{}") as Record<string, any>;

/** The group message's headline as each platform shows it. */
function headlineOf(kind: Kind, body: ReturnType<typeof bodyOf>): string {
  switch (kind) {
    case "teams":
      return body.attachments[0].content.body[0].text;
    case "telegram":
      return /^<b>(.*?)<\/b>/.exec(body.text)?.[1] ?? "";
    case "ntfy":
      return body.title;
    case "pagerduty":
      return body.payload.summary.split(": ")[0];
    case "mattermost":
      return body.attachments[0].title;
  }
}

function expectWithinLimits(kind: Kind, body: ReturnType<typeof bodyOf>) {
  switch (kind) {
    case "teams":
      expect(adaptiveCardErrors(body.attachments[0].content)).toEqual([]);
      expect(utf8Length(JSON.stringify(body))).toBeLessThanOrEqual(TEAMS_LIMITS.bodyBytes);
      break;
    case "telegram":
      expect(body.text.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.text);
      expect(telegramHtmlProblems(body.text, { links: true })).toEqual([]);
      break;
    case "ntfy":
      expect(utf8Length(body.message)).toBeLessThanOrEqual(NTFY_LIMITS.messageBytes);
      break;
    case "pagerduty":
      expect(body.payload.summary.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.summary);
      break;
    case "mattermost":
      expect(mattermostLength(body.attachments[0])).toBeLessThanOrEqual(MATTERMOST_LIMITS.total);
      break;
  }
}

/** Members a group message lists, and the "+K more" it counts. */
function countedIn(kind: Kind, req: ReceivedRequest): number {
  const body = bodyOf(req);
  if (kind === "pagerduty") {
    const d = body.payload.custom_details;
    return d.alerts.length + d.omitted;
  }
  const listed = new Set([...req.body.matchAll(/lr-\d{3}/g)].map((m) => m[0])).size;
  return listed + Number(/\+(\d+) more/.exec(req.body)?.[1] ?? 0);
}

describe("grouping a burst to the new destinations", () => {
  it("sends one immediate message and one group message to each, counting every alert", async () => {
    t.now = T0;
    t.app.setNow(t.now);
    const user = await makeUser(t.app);
    const receivers = {} as Record<Kind, Awaited<ReturnType<typeof startReceiver>>>;
    for (const kind of KINDS) {
      receivers[kind] = await startReceiver(() => ({
        status: kind === "pagerduty" || kind === "teams" ? 202 : 200,
        body: kind === "telegram" ? '{"ok":true}' : "{}",
      }));
      const res = await call(createWebhook, "POST", "/api/alerts/webhooks", {
        token: user.token,
        body: { name: kind, webhook_type: kind, ...webhookBody(kind, receivers[kind].url) },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }

    const N = 40;
    for (let i = 0; i < N; i++) {
      const res = await call(postEvent, "POST", "/api/alerts/events", {
        token: SERVICE_KEY,
        body: {
          type: "job_failed",
          user_id: user.id,
          job_id: randomUUID(),
          data: {
            model_name: `lr-${String(i).padStart(3, "0")}`,
            error: `Traceback (most recent call last):\nRuntimeError: NCCL error on node ${i % 7}`,
            group: "lr-search",
          },
        },
      });
      expect(res.status).toBe(202);
      t.tick(250);
    }
    await t.engine.drain();
    // The first alert went out at once, everywhere, in its own layout.
    for (const kind of KINDS) expect(receivers[kind].requests, kind).toHaveLength(1);

    // Past the window's end (60 s after the first message): the group messages.
    while (t.now.getTime() - T0.getTime() < 70_000) {
      t.tick(1000);
      await t.engine.drain();
    }
    for (const kind of KINDS) {
      const [single, group] = receivers[kind].requests;
      expect(receivers[kind].requests, kind).toHaveLength(2);
      expect(single?.body, kind).toContain("lr-000");
      const body = bodyOf(group);
      expect(headlineOf(kind, body), kind).toMatch(
        new RegExp(`^(❌ )?${N - 1} training jobs failed — sweep lr-search$`),
      );
      expectWithinLimits(kind, body);
      expect(countedIn(kind, group as ReceivedRequest), kind).toBe(N - 1);
    }
    // PagerDuty: the first failure is its job's incident, the group one incident of its own.
    const [trigger, groupTrigger] = receivers.pagerduty.requests.map(bodyOf);
    expect(trigger?.dedup_key).toMatch(/^job:/);
    expect(groupTrigger).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: "trigger",
      dedup_key: "group:job_failed:lr-search",
    });

    const { rows } = await t.app.ctx.db.query<{ alert_type: string; status: string; n: number }>(
      `select a.alert_type, d.status, count(*)::int as n
       from alert_deliveries d join alert_history a on a.id = d.alert_id
       where d.user_id = $1 and d.channel = 'webhook'
       group by a.alert_type, d.status order by a.alert_type, d.status`,
      [user.id],
    );
    expect(rows).toEqual([
      { alert_type: "alert_group", status: "delivered", n: KINDS.length },
      { alert_type: "job_failed", status: "delivered", n: N * KINDS.length },
    ]);
    await Promise.all(KINDS.map((k) => receivers[k].close()));
  }, 180_000);
});

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listEvents, POST as postEvent } from "@/app/api/alerts/events/route";
import { POST as retry } from "@/app/api/alerts/history/[id]/retry/route";
import { DELETE as unmute } from "@/app/api/alerts/mutes/[id]/route";
import { GET as listMutes, POST as mute } from "@/app/api/alerts/mutes/route";
import { PUT as putPrefs } from "@/app/api/alerts/preferences/route";
import { POST as createWebhook } from "@/app/api/alerts/webhooks/route";
import { cardOf } from "@/lib/alerts/delivery/send";
import { formatDiscord } from "@/lib/alerts/formatters/discord.formatter";
import { formatEmail } from "@/lib/alerts/formatters/email.formatter";
import { formatSlack } from "@/lib/alerts/formatters/slack.formatter";
import { groupLabelOf } from "@/lib/alerts/grouping/group-key";
import { signMuteGrant, verifyMuteToken } from "@/lib/alerts/mute-link";
import { withUser } from "@/lib/db/with-user";
import {
  call,
  makeUser,
  SERVICE_KEY,
  startTestApp,
  type TestApp,
  type TestUser,
} from "./helpers/app";
import { manualEngine } from "./helpers/engine";
import { type Responder, startReceiver } from "./helpers/receiver";

let app: TestApp;
let engine: Awaited<ReturnType<typeof manualEngine>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let answer: Responder = () => ({ status: 200 });
beforeAll(async () => {
  app = await startTestApp({
    ALERTS_WEBHOOK_ALLOW_HTTP: "true",
    ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.0/8",
    ALERTS_RATE_LIMIT_PER_HOUR: "2",
  });
  engine = await manualEngine(app);
  receiver = await startReceiver((req, n) => answer(req, n));
  app.setNow(new Date("2026-03-02T12:00:00Z"));
});
afterAll(async () => {
  await receiver?.close();
  await engine?.stop();
  await app?.close();
});

async function userWithHook(): Promise<TestUser> {
  const user = await makeUser(app);
  // No email: the receiver is the only channel, so what it got is what was sent.
  // Ungrouped (window 0): each alert is its own request to the receiver.
  expect(
    (
      await call(putPrefs, "PUT", "/api/alerts/preferences", {
        token: user.token,
        body: { email_enabled: false, group_window_seconds: 0 },
      })
    ).status,
  ).toBe(200);
  const hook = await call(createWebhook, "POST", "/api/alerts/webhooks", {
    token: user.token,
    body: {
      name: "r",
      url: `${receiver.url}/${user.id}`,
      webhook_type: "generic",
      secret: "generate",
    },
  });
  expect(hook.status).toBe(201);
  return user;
}

async function post(user: TestUser, type: string, jobId: string | null, data = {}) {
  const res = await call(postEvent, "POST", "/api/alerts/events", {
    token: SERVICE_KEY,
    body: { type, user_id: user.id, job_id: jobId, data: { model_name: "m", ...data } },
  });
  expect(res.status).toBe(202);
  return res.body.event_id as string;
}

async function historyOf(user: TestUser) {
  const { rows } = await app.ctx.db.query<{
    id: string;
    job_id: string | null;
    status: string;
    deliveries: number;
  }>(
    `select h.id, h.job_id, h.status,
            (select count(*)::int from alert_deliveries d where d.alert_id = h.id) as deliveries
     from alert_history h where h.user_id = $1 order by h.created_at, h.id`,
    [user.id],
  );
  return rows;
}

const requestsFor = (user: TestUser) => receiver.requests.filter((r) => r.url === `/${user.id}`);

describe("the signed mute link", () => {
  const key = Buffer.alloc(32, 3);
  const now = new Date("2026-03-02T12:00:00Z");
  const grant = {
    userId: randomUUID(),
    scope: "job" as const,
    value: randomUUID(),
    hours: 8,
    expiresAt: new Date("2026-03-09T12:00:00Z"),
  };

  it("is accepted as signed, and refused when tampered with, signed by another key, or expired", () => {
    const token = signMuteGrant(grant, key);
    expect(verifyMuteToken(token, [key], now)).toEqual({ ok: true, grant });

    const [payload, signature] = token.split(".") as [string, string];
    // Another job in the payload, the same signature.
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload, "base64url").toString()),
        v: randomUUID(),
      }),
    ).toString("base64url");
    expect(verifyMuteToken(`${forged}.${signature}`, [key], now)).toEqual({
      ok: false,
      reason: "invalid",
    });
    const flipped = `${signature.slice(0, -2)}${signature.endsWith("AA") ? "AB" : "AA"}`;
    expect(verifyMuteToken(`${payload}.${flipped}`, [key], now).ok).toBe(false);
    expect(verifyMuteToken(token, [Buffer.alloc(32, 4)], now).ok).toBe(false);
    expect(verifyMuteToken(`${token}.x`, [key], now).ok).toBe(false);
    expect(verifyMuteToken("", [key], now).ok).toBe(false);

    expect(verifyMuteToken(token, [key], new Date("2026-03-09T12:00:00Z"))).toEqual({
      ok: false,
      reason: "expired",
    });
    // An old key still verifies during a rotation.
    expect(verifyMuteToken(token, [Buffer.alloc(32, 9), key], now).ok).toBe(true);
  });

  it("is in every alert email and chat message about a job, signed for that user and job", () => {
    const job = randomUUID();
    const user = randomUUID();
    const card = cardOf(
      {
        alert_id: randomUUID(),
        user_id: user,
        alert_type: "job_failed",
        title: "Training failed",
        message: "boom",
        job_id: job,
        data: { model_name: "m", error: "boom" },
        alert_created_at: now,
      } as unknown as Parameters<typeof cardOf>[0],
      "http://127.0.0.1:3000",
      key,
    );
    expect(card.mute?.label).toBe("Mute this job for 8 h");
    const url = new URL(card.mute?.url ?? "");
    expect(`${url.origin}${url.pathname}`).toBe("http://127.0.0.1:3000/mute");
    const check = verifyMuteToken(url.searchParams.get("t") ?? "", [key], now);
    expect(check).toMatchObject({
      ok: true,
      grant: { userId: user, scope: "job", value: job, hours: 8 },
    });

    const mail = formatEmail(card);
    expect(mail.text).toContain(`Mute this job for 8 h: ${card.mute?.url}`);
    expect(mail.html).toContain(">Mute this job for 8 h</a>");
    const slack = JSON.stringify(formatSlack(card));
    expect(slack).toContain(JSON.stringify(card.mute?.url));
    const discord = formatDiscord(card);
    expect(discord.embeds[0]?.fields.at(-1)?.value).toBe(
      `[Mute this job for 8 h](${card.mute?.url})`,
    );
  });
});

describe("mutes", () => {
  it("mutes a job: its alerts are recorded as muted, never delivered, not counted in the rate limit; unmuting does not replay them", async () => {
    const user = await userWithHook();
    const job = randomUUID();
    const created = await call<{ id: string; muted_until: string; scope: string }>(
      mute,
      "POST",
      "/api/alerts/mutes",
      { token: user.token, body: { scope: "job", value: job, duration: "8h" } },
    );
    expect(created.status).toBe(201);
    expect(created.body.muted_until).toBe("2026-03-02T20:00:00.000Z");

    // Three muted failures would pass the limit of 2 if they counted.
    const muted = [
      await post(user, "job_failed", job, { error: "1" }),
      await post(user, "timeout_warning", job, { minutes_without_progress: 40 }),
      await post(user, "gpu_oom", job, { log_excerpt: "CUDA out of memory" }),
    ];
    const other = randomUUID();
    await post(user, "job_completed", other);
    await engine.drain();

    const history = await historyOf(user);
    expect(history.filter((h) => h.job_id === job).map((h) => [h.status, h.deliveries])).toEqual([
      ["muted", 0],
      ["muted", 0],
      ["muted", 0],
    ]);
    expect(history.find((h) => h.job_id === other)?.status).toBe("sent");
    expect(requestsFor(user).map((r) => JSON.parse(r.body).type)).toEqual(["job_completed"]);

    const events = await call<{
      items: { event_id: string; outcome: string; outcome_text: string }[];
    }>(listEvents, "GET", "/api/alerts/events", { token: user.token });
    for (const id of muted) {
      expect(events.body.items.find((e) => e.event_id === id)).toMatchObject({
        outcome: "muted",
        outcome_text: expect.stringMatching(/^not sent: muted \(job /),
      });
    }

    // Unmute: the next alert goes out; the muted ones stay muted, unsent.
    expect(
      (
        await call(unmute, "DELETE", "/api/alerts/mutes/x", {
          token: user.token,
          params: { id: created.body.id },
        })
      ).status,
    ).toBe(204);
    await post(user, "job_completed", job);
    await engine.drain();
    expect(requestsFor(user).map((r) => JSON.parse(r.body).type)).toEqual([
      "job_completed",
      "job_completed",
    ]);
    expect((await historyOf(user)).filter((h) => h.status === "muted")).toHaveLength(3);
  });

  it("mutes a group label (the job's metadata.group or the event's data.group) and an alert type, until a date", async () => {
    const user = await userWithHook();
    for (const body of [
      { scope: "group", value: "sweep-7", duration: "1h" },
      { scope: "type", value: "disk_warning", until: "2026-03-05T00:00:00Z" },
    ]) {
      expect(
        (await call(mute, "POST", "/api/alerts/mutes", { token: user.token, body })).status,
      ).toBe(201);
    }
    await post(user, "job_failed", randomUUID(), { group: "sweep-7", error: "x" });
    await post(user, "disk_warning", null, { disk_path: "/data", disk_used_percent: 97 });
    await post(user, "job_failed", randomUUID(), { group: "sweep-8", error: "y" });
    await engine.drain();
    const { rows } = await app.ctx.db.query<{ what: string; status: string }>(
      `select coalesce(data->>'group', alert_type) as what, status from alert_history
       where user_id = $1 order by 1`,
      [user.id],
    );
    expect(rows).toEqual([
      { what: "disk_warning", status: "muted" },
      { what: "sweep-7", status: "muted" },
      { what: "sweep-8", status: "sent" },
    ]);

    const mutes = await call<{ items: { scope: string }[] }>(
      listMutes,
      "GET",
      "/api/alerts/mutes",
      {
        token: user.token,
      },
    );
    expect(mutes.body.items.map((m) => m.scope).sort()).toEqual(["group", "type"]);
  });

  it("matches a group mute against the label grouping keys on: the event's data.group, else the job's metadata.group, on one line", async () => {
    const user = await userWithHook();
    const made = await call<{ value: string }>(mute, "POST", "/api/alerts/mutes", {
      token: user.token,
      body: { scope: "group", value: "  sweep \t 9 ", duration: "1h" },
    });
    expect(made.status).toBe(201);
    expect(made.body.value).toBe("sweep 9");
    const [byJob, wins] = [randomUUID(), randomUUID()];
    await app.ctx.db.query(
      `insert into training_jobs (id, user_id, model_name, metadata) values
         ($1, $3, 'a', '{"group": "sweep   9"}'), ($2, $3, 'b', '{"group": "sweep 9"}')`,
      [byJob, wins, user.id],
    );
    await post(user, "job_failed", byJob, { error: "x" });
    await post(user, "job_failed", randomUUID(), { group: "sweep\n9", error: "y" });
    // The event's own label wins over its job's, for the group key and the mute alike.
    await post(user, "job_failed", wins, { group: "sweep-10", error: "z" });
    await engine.drain();
    const { rows } = await app.ctx.db.query<{ job: string; label: string; status: string }>(
      `select case when job_id = $2 then 'by-job' when job_id = $3 then 'event-wins' else 'by-event' end as job,
              group_label as label, status
       from alert_history where user_id = $1 order by 1`,
      [user.id, byJob, wins],
    );
    expect(rows).toEqual([
      { job: "by-event", label: "sweep 9", status: "muted" },
      { job: "by-job", label: "sweep 9", status: "muted" },
      { job: "event-wins", label: "sweep-10", status: "sent" },
    ]);
    expect(groupLabelOf({ group: "sweep-10" }, { group: "sweep 9" })).toBe("sweep-10");
    expect(groupLabelOf({}, { group: " sweep\t9" })).toBe("sweep 9");
  });

  it("matches a group mute against a job's label the application cleans and the database does not (terminal colours)", async () => {
    const user = await userWithHook();
    const made = await call(mute, "POST", "/api/alerts/mutes", {
      token: user.token,
      body: { scope: "group", value: "sweep 11", duration: "1h" },
    });
    expect(made.status).toBe(201);
    const job = randomUUID();
    await app.ctx.db.query(
      "insert into training_jobs (id, user_id, model_name, metadata) values ($1, $2, 'a', $3)",
      [job, user.id, JSON.stringify({ group: "\u001b[1msweep 11\u001b[0m" })],
    );
    expect(groupLabelOf({}, { group: "\u001b[1msweep 11\u001b[0m" })).toBe("sweep 11");
    await post(user, "job_failed", job, { error: "x" });
    await engine.drain();
    const { rows } = await app.ctx.db.query<{ status: string }>(
      "select status from alert_history where user_id = $1",
      [user.id],
    );
    expect(rows).toEqual([{ status: "muted" }]);
  });

  it("refuses a mute with no end, an end in the past, or an unknown type (422)", async () => {
    const user = await makeUser(app);
    for (const body of [
      { scope: "job", value: randomUUID() },
      { scope: "job", value: randomUUID(), until: "2026-03-01T00:00:00Z" },
      { scope: "type", value: "job_exploded", duration: "1h" },
      { scope: "job", value: "not-a-uuid", duration: "1h" },
    ]) {
      expect(
        (await call(mute, "POST", "/api/alerts/mutes", { token: user.token, body })).status,
      ).toBe(422);
    }
  });

  it("keeps each user's mutes to themselves (RLS), and another user's mute cannot be deleted (404)", async () => {
    const ada = await makeUser(app);
    const bob = await makeUser(app);
    const made = await call<{ id: string }>(mute, "POST", "/api/alerts/mutes", {
      token: ada.token,
      body: { scope: "type", value: "job_started", duration: "24h" },
    });
    expect(made.status).toBe(201);
    const seen = await withUser(app.ctx.db, bob.id, async (tx) => {
      const { rows } = await tx.query("select id from alert_mutes");
      return rows;
    });
    expect(seen).toEqual([]);
    expect(
      (
        await call(unmute, "DELETE", "/api/alerts/mutes/x", {
          token: bob.token,
          params: { id: made.body.id },
        })
      ).status,
    ).toBe(404);
    // Users can read but not write the table themselves.
    await expect(
      withUser(app.ctx.db, bob.id, (tx) =>
        tx.query(
          "insert into alert_mutes (user_id, scope, value, muted_until) values ($1, 'type', 'gpu_oom', now() + interval '1 hour')",
          [bob.id],
        ),
      ),
    ).rejects.toThrow(/permission denied/);
  });
});

describe("retry now", () => {
  it("re-sends a failed delivery at once with the same webhook-id, after the receiver is fixed", async () => {
    const user = await userWithHook();
    answer = () => ({ status: 400 });
    await post(user, "job_failed", randomUUID(), { error: "boom" });
    await engine.drain();
    const [alert] = await historyOf(user);
    expect(alert?.status).toBe("failed");
    expect(requestsFor(user)).toHaveLength(1);

    answer = () => ({ status: 200 });
    const res = await call(retry, "POST", "/api/alerts/history/x/retry", {
      token: user.token,
      params: { id: alert?.id ?? "" },
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ alert_id: alert?.id, retried: 1 });
    await engine.drain();
    const sent = requestsFor(user);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.headers["webhook-id"]).toBe(sent[0]?.headers["webhook-id"]);
    expect((await historyOf(user))[0]?.status).toBe("sent");

    // Nothing left to retry: 409; another user's alert: 404.
    expect(
      (
        await call(retry, "POST", "/api/alerts/history/x/retry", {
          token: user.token,
          params: { id: alert?.id ?? "" },
        })
      ).status,
    ).toBe(409);
    const stranger = await makeUser(app);
    expect(
      (
        await call(retry, "POST", "/api/alerts/history/x/retry", {
          token: stranger.token,
          params: { id: alert?.id ?? "" },
        })
      ).status,
    ).toBe(404);
  });
});

import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listEvents, POST as postEvent } from "@/app/api/alerts/events/route";
import { PUT as putPrefs } from "@/app/api/alerts/preferences/route";
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

/*
 * GET /api/alerts/events: the caller's inbox with each event's outcome in
 * words — the "why did I (not) get this?" of the first hour.
 */

let app: TestApp;
let engine: Awaited<ReturnType<typeof manualEngine>>;
let ada: TestUser;
let bob: TestUser;
beforeAll(async () => {
  app = await startTestApp();
  engine = await manualEngine(app);
  app.setNow(new Date("2026-03-02T12:00:00Z"));
  ada = await makeUser(app, "ada@example.com");
  bob = await makeUser(app, "bob@example.com");
  // Both users exist (their first request provisions them).
  for (const u of [ada, bob]) {
    expect(
      (await call(putPrefs, "PUT", "/api/alerts/preferences", { token: u.token, body: {} })).status,
    ).toBe(200);
  }
});
afterAll(async () => {
  await engine?.stop();
  await app?.close();
});

async function post(user: TestUser, type: string, data: Record<string, unknown>, jobId?: string) {
  const res = await call(postEvent, "POST", "/api/alerts/events", {
    token: SERVICE_KEY,
    body: { type, user_id: user.id, job_id: jobId ?? null, data },
  });
  expect(res.status).toBe(202);
  return res.body as { event_id: string; duplicate: boolean; outcome_hint?: string };
}

interface InboxItem {
  event_id: string;
  type: string;
  outcome: string | null;
  outcome_text: string;
  duplicate_of: string | null;
}

async function inbox(user: TestUser, query: Record<string, string> = {}) {
  const res = await call<{ items: InboxItem[]; next_cursor: string | null }>(
    listEvents,
    "GET",
    "/api/alerts/events",
    { token: user.token, query },
  );
  expect(res.status).toBe(200);
  return res.body;
}

const byId = (items: InboxItem[], id: string) => {
  const item = items.find((i) => i.event_id === id);
  if (!item) throw new Error(`event ${id} is not in the inbox`);
  return item;
};

describe("the events view's API", () => {
  it("says why each event did or did not alert: a disabled type, a duplicate, a below-threshold disk, quiet hours", async () => {
    // job_cancelled is off by default (the seed's defaults).
    const cancelled = await post(ada, "job_cancelled", { model_name: "m" }, randomUUID());
    const job = randomUUID();
    const failed = await post(ada, "job_failed", { model_name: "m", error: "boom" }, job);
    await engine.drain();
    app.setNow(new Date("2026-03-02T12:00:01Z"));
    const again = await post(ada, "job_failed", { model_name: "m", error: "boom" }, job);
    const disk = await post(ada, "disk_warning", { disk_path: "/data", disk_used_percent: 85 });
    // The producer's own threshold counts when it is stricter than the server's 90 %.
    const stricter = await post(ada, "disk_warning", {
      disk_path: "/scratch",
      disk_used_percent: 93,
      threshold_percent: 95,
    });
    await engine.drain();

    // Quiet hours 22:00–07:00 UTC; at 05:00 an alert waits until 07:00.
    expect(
      (
        await call(putPrefs, "PUT", "/api/alerts/preferences", {
          token: ada.token,
          body: {
            quiet_hours_enabled: true,
            quiet_hours_start: "22:00",
            quiet_hours_end: "07:00",
            timezone: "UTC",
          },
        })
      ).status,
    ).toBe(200);
    app.setNow(new Date("2026-03-03T05:00:00Z"));
    const quiet = await post(ada, "job_completed", { model_name: "m" }, randomUUID());
    await engine.drain();
    // Back to when the users' tokens are valid.
    app.setNow(new Date("2026-03-02T12:30:00Z"));

    const { items } = await inbox(ada);
    expect(byId(items, cancelled.event_id)).toMatchObject({
      outcome: "no_channels",
      outcome_text: expect.stringContaining("not sent: job_cancelled is off for every channel"),
    });
    expect(byId(items, failed.event_id)).toMatchObject({ outcome: "alerted" });
    expect(byId(items, again.event_id)).toMatchObject({
      outcome: "deduplicated",
      duplicate_of: failed.event_id,
      outcome_text: `not sent: duplicate of event ${failed.event_id}`,
    });
    expect(byId(items, disk.event_id)).toMatchObject({
      outcome: "below_threshold",
      outcome_text: "not sent: below the 90 % disk threshold (85 % used)",
    });
    expect(byId(items, stricter.event_id)).toMatchObject({
      outcome: "below_threshold",
      outcome_text: "not sent: below the 95 % disk threshold (93 % used)",
    });
    expect(byId(items, quiet.event_id)).toMatchObject({
      outcome: "deferred",
      outcome_text: "deferred until 07:00 (quiet hours)",
    });
    // Newest first.
    expect(items[0]?.event_id).toBe(quiet.event_id);
  });

  it("pages with limit and cursor", async () => {
    const first = await inbox(ada, { limit: "2" });
    expect(first.items).toHaveLength(2);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await inbox(ada, { limit: "2", cursor: first.next_cursor ?? "" });
    const ids = new Set([...first.items, ...second.items].map((i) => i.event_id));
    expect(ids.size).toBe(4);
    const bad = await call(listEvents, "GET", "/api/alerts/events", {
      token: ada.token,
      query: { cursor: "nonsense" },
    });
    expect(bad.status).toBe(422);
  });

  it("shows a user only their own events, in the API and in the database (RLS)", async () => {
    const own = await post(bob, "job_started", { model_name: "b" }, randomUUID());
    await engine.drain();
    const bobs = await inbox(bob);
    expect(bobs.items.map((i) => i.event_id)).toEqual([own.event_id]);
    const adas = await inbox(ada);
    expect(adas.items.map((i) => i.event_id)).not.toContain(own.event_id);

    // Even a query that asks for every row sees only the caller's.
    const seen = await withUser(app.ctx.db, bob.id, async (tx) => {
      const { rows } = await tx.query<{ user_id: string }>("select user_id from alert_events");
      return rows.map((r) => r.user_id);
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([bob.id]));
  });

  it("is a user route: the service key gets 403", async () => {
    const res = await call(listEvents, "GET", "/api/alerts/events", { token: SERVICE_KEY });
    expect(res.status).toBe(403);
  });

  it("tells the producer at ingest that a disk warning is under the threshold, and stores it all the same", async () => {
    const carol = await makeUser(app, "carol@example.com");
    const disk = (data: Record<string, unknown>) =>
      post(carol, "disk_warning", { disk_path: `/d/${randomUUID()}`, ...data });
    const under = await disk({ disk_used_percent: 85 });
    // The stricter of the producer's threshold and the server's 90 % decides.
    const underOwn = await disk({ disk_used_percent: 93, threshold_percent: 95 });
    const looser = await disk({ disk_used_percent: 50, threshold_percent: 10 });
    const over = await disk({ disk_used_percent: 95 });
    // Whether a type is on for some channel is read when the event is processed,
    // not at ingest: no hint, though job_cancelled is off by default.
    const off = await post(carol, "job_cancelled", { model_name: "m" }, randomUUID());
    expect([under, underOwn, looser].map((e) => e.outcome_hint)).toEqual([
      "below_threshold",
      "below_threshold",
      "below_threshold",
    ]);
    expect(over.outcome_hint).toBeUndefined();
    expect(off.outcome_hint).toBeUndefined();

    await engine.drain();
    app.setNow(new Date("2026-03-02T12:30:00Z"));
    const { items } = await inbox(carol);
    for (const e of [under, underOwn, looser]) {
      expect(byId(items, e.event_id).outcome).toBe("below_threshold");
    }
    expect(byId(items, over.event_id).outcome).toBe("alerted");
    expect(byId(items, off.event_id).outcome).toBe("no_channels");
  });

  it("refuses an event for a user_id no account has at ingest (Supabase-shaped auth), naming the field", async () => {
    // Supabase's auth.users is recognised by its encrypted_password column;
    // there ingest cannot create users, and the inbox's foreign key (issue 20)
    // makes an unknown user_id a 422 rather than a 202 that alerts no one.
    await app.ctx.db.query(
      "alter table auth.users add column if not exists encrypted_password text",
    );
    const logged: string[] = [];
    const log = app.ctx.log;
    app.ctx.log = pino(
      { level: "warn" },
      new Writable({
        write(chunk, _enc, done) {
          logged.push(String(chunk));
          done();
        },
      }),
    );
    const eventId = randomUUID();
    const res = await call<{ code: string; errors: { path: string; message: string }[] }>(
      postEvent,
      "POST",
      "/api/alerts/events",
      {
        token: SERVICE_KEY,
        body: {
          event_id: eventId,
          type: "job_failed",
          user_id: randomUUID(),
          job_id: randomUUID(),
          data: {},
        },
      },
    ).finally(() => {
      app.ctx.log = log;
    });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body.code).toBe("unknown_user");
    expect(res.body.errors[0]?.path).toBe("user_id");
    expect(res.body.errors[0]?.message).toMatch(/create the user in Supabase Auth/);
    // Logged at warn (pino level 40), naming the event.
    const lines = logged.map((l) => JSON.parse(l) as { level: number; event_id?: string });
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, event_id: eventId }));
    const stored = await app.ctx.db.query("select 1 from alert_events where id = $1", [eventId]);
    expect(stored.rows).toHaveLength(0);
    const known = await post(ada, "job_started", { model_name: "m" }, randomUUID());
    expect(known.outcome_hint).toBeUndefined();
  });
});

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getHistory } from "@/app/api/alerts/history/route";
import { GET, PUT } from "@/app/api/alerts/preferences/route";
import { historyPageSchema } from "@/lib/alerts/api/history.schema";
import { withUser } from "@/lib/db/with-user";
import { call, makeUser, startTestApp, type TestApp, type TestUser } from "./helpers/app";

/**
 * What migration 0015 and the grouping preference promise before any batch
 * is sent: the window and the sweep flag, the alerts' group label and the
 * history filter on it, and batch tables a user may read but never write.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const prefsPath = "/api/alerts/preferences";

async function ensureUser(user: TestUser) {
  await app.ctx.db.query(
    "insert into auth.users (id, email) values ($1, $2) on conflict do nothing",
    [user.id, user.email],
  );
}

describe("grouping preference", () => {
  it("defaults to a 60-second window with the sweep summary on", async () => {
    const user = await makeUser(app);
    const res = await call(GET, "GET", prefsPath, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ group_window_seconds: 60, alert_group_completed: true });
  });

  it.each([0, 1, 300, 3600])("accepts a window of %i seconds", async (seconds) => {
    const user = await makeUser(app);
    const res = await call(PUT, "PUT", prefsPath, {
      token: user.token,
      body: { group_window_seconds: seconds },
    });
    expect(res.status).toBe(200);
    expect(res.body.group_window_seconds).toBe(seconds);
    const again = await call(GET, "GET", prefsPath, { token: user.token });
    expect(again.body.group_window_seconds).toBe(seconds);
  });

  it.each([[-1], [3601], [1.5], ["60"], [null]])(
    "rejects a window of %j with a 422 naming group_window_seconds",
    async (value) => {
      const user = await makeUser(app);
      const res = await call(PUT, "PUT", prefsPath, {
        token: user.token,
        body: { group_window_seconds: value },
      });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([
        { path: "group_window_seconds", message: expect.stringContaining("0 (grouping off)") },
      ]);
    },
  );

  it("is held by a CHECK in the database too", async () => {
    const user = await makeUser(app);
    await call(GET, "GET", prefsPath, { token: user.token });
    await expect(
      app.ctx.db.query(
        "update user_alert_preferences set group_window_seconds = 86400 where user_id = $1",
        [user.id],
      ),
    ).rejects.toMatchObject({ code: "23514" });
  });

  it("switches the sweep summary off like any other type", async () => {
    const user = await makeUser(app);
    const res = await call(PUT, "PUT", prefsPath, {
      token: user.token,
      body: { alert_group_completed: false },
    });
    expect(res.status).toBe(200);
    expect(res.body.alert_group_completed).toBe(false);
  });
});

describe("GET /api/alerts/history?group=", () => {
  let owner: TestUser;
  let other: TestUser;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    owner = await makeUser(app);
    other = await makeUser(app);
    await ensureUser(owner);
    await ensureUser(other);
    const db = app.ctx.db;
    const sweepJob = randomUUID();
    const otherJob = randomUUID();
    await db.query(
      `insert into training_jobs (id, user_id, model_name, metadata) values
         ($1, $3, 'a', '{"group": "lr-search"}'), ($2, $3, 'b', '{"group": "bs-search"}')`,
      [sweepJob, otherJob, owner.id],
    );
    const insert = async (
      name: string,
      user: TestUser,
      jobId: string | null,
      data: object,
      minute: number,
    ) => {
      const { rows } = await db.query<{ id: string }>(
        `insert into alert_history (user_id, alert_type, title, message, job_id, data, created_at)
         values ($1, 'job_failed', $2, 'm', $3, $4, $5) returning id`,
        [user.id, name, jobId, JSON.stringify(data), new Date(Date.UTC(2026, 2, 1, 10, minute))],
      );
      ids[name] = rows[0]?.id as string;
    };
    // The label from the event's data.group, or else from the job's metadata.group.
    await insert("by-event", owner, null, { group: "lr-search" }, 1);
    await insert("by-job", owner, sweepJob, {}, 2);
    await insert("event-wins", owner, otherJob, { group: "lr-search" }, 3);
    await insert("other-group", owner, otherJob, {}, 4);
    await insert("no-group", owner, null, {}, 5);
    await insert("number-is-no-label", owner, null, { group: 7 }, 6);
    await insert("other-user", other, null, { group: "lr-search" }, 7);
  });

  it("lists the alerts of jobs carrying the label, newest first, with their group_label", async () => {
    const res = await call<{ items: { id: string; group_label: string | null }[] }>(
      getHistory,
      "GET",
      "/api/alerts/history",
      { token: owner.token, query: { group: "lr-search" } },
    );
    expect(res.status).toBe(200);
    expect(historyPageSchema.safeParse(res.body).error).toBeUndefined();
    expect(res.body.items.map((i) => i.id)).toEqual([
      ids["event-wins"],
      ids["by-job"],
      ids["by-event"],
    ]);
    expect(res.body.items.every((i) => i.group_label === "lr-search")).toBe(true);
  });

  it("combines with the other filters and pages", async () => {
    const first = await call<{ items: { id: string }[]; next_cursor: string | null }>(
      getHistory,
      "GET",
      "/api/alerts/history",
      { token: owner.token, query: { group: "lr-search", alert_type: "job_failed", limit: "2" } },
    );
    expect(first.body.items.map((i) => i.id)).toEqual([ids["event-wins"], ids["by-job"]]);
    const second = await call<{ items: { id: string }[]; next_cursor: string | null }>(
      getHistory,
      "GET",
      "/api/alerts/history",
      {
        token: owner.token,
        query: { group: "lr-search", limit: "2", cursor: first.body.next_cursor ?? "" },
      },
    );
    expect(second.body.items.map((i) => i.id)).toEqual([ids["by-event"]]);
    expect(second.body.next_cursor).toBeNull();
  });

  it("shows no alert without the label, and never another user's", async () => {
    const res = await call<{ items: { id: string; group_label: string | null }[] }>(
      getHistory,
      "GET",
      "/api/alerts/history",
      { token: owner.token, query: { group: "bs-search" } },
    );
    expect(res.body.items.map((i) => i.id)).toEqual([ids["other-group"]]);
    const all = await call<{ items: { id: string; group_label: string | null }[] }>(
      getHistory,
      "GET",
      "/api/alerts/history",
      { token: owner.token },
    );
    const labels = Object.fromEntries(all.body.items.map((i) => [i.id, i.group_label]));
    expect(labels[ids["no-group"] as string]).toBeNull();
    expect(labels[ids["number-is-no-label"] as string]).toBeNull();
    expect(labels[ids["other-user"] as string]).toBeUndefined();
  });

  it.each([[""], ["x".repeat(201)]])("rejects the label %j with a 422 naming group", async (g) => {
    const res = await call(getHistory, "GET", "/api/alerts/history", {
      token: owner.token,
      query: { group: g },
    });
    expect(res.status).toBe(422);
    expect((res.body.errors as { path: string }[]).map((e) => e.path)).toEqual(["group"]);
  });
});

describe("batch tables", () => {
  let a: TestUser;
  let b: TestUser;
  let batchOfA: string;

  beforeAll(async () => {
    a = await makeUser(app);
    b = await makeUser(app);
    await ensureUser(a);
    await ensureUser(b);
    const { rows } = await app.ctx.db.query<{ id: string }>(
      `insert into alert_group_batches
         (user_id, group_key, channel, alert_type, group_label, opened_at, release_at)
       values ($1, '["email","job_failed","lr-search"]', 'email', 'job_failed', 'lr-search',
               '2026-03-01T10:00:00Z', '2026-03-01T10:01:00Z')
       returning id`,
      [a.id],
    );
    batchOfA = rows[0]?.id as string;
    await app.ctx.db.query(
      `insert into alert_groups (user_id, group_key, last_message_at)
       values ($1, '["email","job_failed","lr-search"]', '2026-03-01T10:00:00Z')`,
      [a.id],
    );
  });

  it("show a user their own batches and groups, and nobody else's", async () => {
    const seen = (user: TestUser, table: string) =>
      withUser(app.ctx.db, user.id, async (tx) =>
        (await tx.query<{ user_id: string }>(`select user_id from ${table}`)).rows.map(
          (r) => r.user_id,
        ),
      );
    expect(await seen(a, "alert_group_batches")).toEqual([a.id]);
    expect(await seen(b, "alert_group_batches")).toEqual([]);
    expect(await seen(a, "alert_groups")).toEqual([a.id]);
    expect(await seen(b, "alert_groups")).toEqual([]);
  });

  it.each([
    ["insert into alert_groups (user_id, group_key, last_message_at) values ($1, 'k', now())"],
    ["update alert_group_batches set closed_at = now() where user_id = $1"],
    ["delete from alert_group_batches where user_id = $1"],
    [
      `insert into alert_group_batches (user_id, group_key, channel, alert_type, opened_at, release_at)
       values ($1, 'k', 'email', 'job_failed', now(), now())`,
    ],
  ])("refuse a user's own write: %s", async (sql) => {
    await expect(withUser(app.ctx.db, a.id, (tx) => tx.query(sql, [a.id]))).rejects.toMatchObject({
      code: "42501",
    });
    const { rows } = await app.ctx.db.query<{ closed_at: Date | null }>(
      "select closed_at from alert_group_batches where id = $1",
      [batchOfA],
    );
    expect(rows[0]?.closed_at).toBeNull();
  });

  it("hold one open batch per group key, and a window that ends after it opens", async () => {
    const again = app.ctx.db.query(
      `insert into alert_group_batches (user_id, group_key, channel, alert_type, opened_at, release_at)
       values ($1, '["email","job_failed","lr-search"]', 'email', 'job_failed', now(), now())`,
      [a.id],
    );
    await expect(again).rejects.toMatchObject({ code: "23505" });
    const backwards = app.ctx.db.query(
      `insert into alert_group_batches (user_id, group_key, channel, alert_type, opened_at, release_at)
       values ($1, 'other', 'email', 'job_failed', now(), now() - interval '1 second')`,
      [a.id],
    );
    await expect(backwards).rejects.toMatchObject({ code: "23514" });
  });
});

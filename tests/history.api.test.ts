import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/alerts/history/route";
import { historyPageSchema } from "@/lib/alerts/api/history.schema";
import {
  type CallResult,
  call,
  makeUser,
  startTestApp,
  type TestApp,
  type TestUser,
} from "./helpers/app";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const path = "/api/alerts/history";

interface Seeded {
  id: string;
  alert_type: string;
  job_id: string | null;
  status: string;
  /** Microsecond precision, UTC, fixed width: sorts as text. */
  created_at: string;
}

const TYPES = ["job_completed", "job_failed", "gpu_oom"] as const;
const STATUSES = ["sent", "failed", "suppressed"] as const;

/**
 * Inserts `count` alerts for `user` as the owner. Rows 10–29 share one
 * timestamp, and rows 30–34 differ only in microseconds, so paging must break
 * ties on id and keep full precision.
 */
async function seedHistory(user: TestUser, count: number, jobs: string[]): Promise<Seeded[]> {
  await app.ctx.db.query(
    "insert into auth.users (id, email) values ($1, $2) on conflict do nothing",
    [user.id, user.email],
  );
  const rows: Seeded[] = Array.from({ length: count }, (_, i) => {
    let created: string;
    if (i >= 10 && i < 30) created = "2026-02-20T08:00:00.000000Z";
    else if (i >= 30 && i < 35) created = `2026-02-21T08:00:00.00000${i - 30}Z`;
    else created = new Date(Date.UTC(2026, 1, 1, 0, i)).toISOString().replace("Z", "000Z");
    return {
      id: randomUUID(),
      alert_type: TYPES[i % TYPES.length] as string,
      job_id: i % 4 === 0 ? null : (jobs[i % jobs.length] as string),
      status: STATUSES[i % STATUSES.length] as string,
      created_at: created,
    };
  });
  await app.ctx.db.query(
    `insert into alert_history (id, user_id, alert_type, title, message, job_id, status, created_at)
     select r.id, $1, r.alert_type, 'Alert ' || r.alert_type, 'Something happened', r.job_id,
            r.status, r.created_at
     from unnest($2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::timestamptz[])
            as r(id, alert_type, job_id, status, created_at)`,
    [
      user.id,
      rows.map((r) => r.id),
      rows.map((r) => r.alert_type),
      rows.map((r) => r.job_id),
      rows.map((r) => r.status),
      rows.map((r) => r.created_at),
    ],
  );
  return rows;
}

/** Newest first, ties broken by id descending, as the API promises. */
const newestFirst = (rows: Seeded[]) =>
  [...rows].sort((x, y) =>
    x.created_at === y.created_at
      ? y.id.localeCompare(x.id)
      : y.created_at.localeCompare(x.created_at),
  );

interface Page {
  items: Record<string, unknown>[];
  next_cursor: string | null;
}

/** Follows next_cursor to the end; every page must be a valid, documented answer. */
async function allPages(user: TestUser, query: Record<string, string>) {
  const pages: Page[] = [];
  let cursor: string | null = null;
  do {
    const res: CallResult<Page> = await call<Page>(GET, "GET", path, {
      token: user.token,
      query: { ...query, ...(cursor ? { cursor } : {}) },
    });
    expect(res.status).toBe(200);
    expect(historyPageSchema.safeParse(res.body).error).toBeUndefined();
    pages.push(res.body);
    cursor = res.body.next_cursor;
    expect(pages.length).toBeLessThan(100);
  } while (cursor);
  return pages;
}

/** A cursor in the API's format around any timestamp text. */
const cursorOf = (ts: string) =>
  Buffer.from(JSON.stringify([ts, randomUUID()])).toString("base64url");

const ids = (pages: Page[]) => pages.flatMap((p) => p.items.map((i) => i.id));

let owner: TestUser;
let other: TestUser;
let seeded: Seeded[];
let otherSeeded: Seeded[];
const jobs = [randomUUID(), randomUUID()];

beforeAll(async () => {
  owner = await makeUser(app);
  other = await makeUser(app);
  seeded = await seedHistory(owner, 53, jobs);
  otherSeeded = await seedHistory(other, 12, jobs);
});

describe("GET /api/alerts/history", () => {
  it("pages through every alert exactly once, newest first, with ties broken by id", async () => {
    const pages = await allPages(owner, { limit: "7" });
    expect(pages.map((p) => p.items.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 4]);
    expect(ids(pages)).toEqual(newestFirst(seeded).map((r) => r.id));
    expect(pages.at(-1)?.next_cursor).toBeNull();
    expect(pages.slice(0, -1).every((p) => typeof p.next_cursor === "string")).toBe(true);
  });

  it("ends with a null cursor when the last page is exactly full", async () => {
    const pages = await allPages(other, { limit: "6" });
    expect(pages.map((p) => p.items.length)).toEqual([6, 6]);
    expect(ids(pages)).toEqual(newestFirst(otherSeeded).map((r) => r.id));
  });

  it("returns 20 alerts when no limit is given", async () => {
    const res = await call<Page>(GET, "GET", path, { token: owner.token });
    expect(res.body.items).toHaveLength(20);
    expect(res.body.next_cursor).toEqual(expect.any(String));
  });

  it.each([
    ["alert_type", "gpu_oom", (r: Seeded) => r.alert_type === "gpu_oom"],
    ["job_id", jobs[1] as string, (r: Seeded) => r.job_id === jobs[1]],
    ["status", "failed", (r: Seeded) => r.status === "failed"],
    [
      "since",
      "2026-02-20T09:00:00+01:00",
      (r: Seeded) => r.created_at >= "2026-02-20T08:00:00.000000Z",
    ],
  ])("filters by %s, across pages", async (name, value, keep) => {
    const expected = newestFirst(seeded.filter(keep)).map((r) => r.id);
    expect(expected.length).toBeGreaterThan(5);
    expect(expected.length).toBeLessThan(seeded.length);
    const pages = await allPages(owner, { [name]: value, limit: "5" });
    expect(ids(pages)).toEqual(expected);
  });

  it("combines filters", async () => {
    const pages = await allPages(owner, { alert_type: "job_failed", job_id: jobs[0] as string });
    const expected = seeded.filter((r) => r.alert_type === "job_failed" && r.job_id === jobs[0]);
    expect(ids(pages)).toEqual(newestFirst(expected).map((r) => r.id));
  });

  it("includes each alert's deliveries and no internal cursor field", async () => {
    const alert = newestFirst(seeded)[0] as Seeded;
    const { rows } = await app.ctx.db.query<{ id: string }>(
      `insert into user_webhooks (user_id, name, url) values ($1, 'Slack', 'ciphertext') returning id`,
      [owner.id],
    );
    const webhookId = rows[0]?.id;
    await app.ctx.db.query(
      `insert into alert_deliveries
         (alert_id, user_id, channel, webhook_id, status, attempts, last_status_code, last_error,
          next_attempt_at, delivered_at, created_at)
       values
         ($1, $2, 'email', null, 'delivered', 1, null, null, null,
          '2026-02-28T10:00:01.5Z', '2026-02-28T10:00:00Z'),
         ($1, $2, 'webhook', $3, 'failed', 3, 503, 'Service Unavailable',
          '2026-02-28T10:30:00Z', null, '2026-02-28T10:00:00.1Z')`,
      [alert.id, owner.id, webhookId],
    );

    const res = await call<Page>(GET, "GET", path, { token: owner.token, query: { limit: "3" } });
    expect(historyPageSchema.safeParse(res.body).error).toBeUndefined();
    const [first, second] = res.body.items;
    expect(first?.id).toBe(alert.id);
    expect(first?.deliveries).toEqual([
      {
        id: expect.any(String),
        channel: "email",
        webhook_id: null,
        webhook_name: null,
        status: "delivered",
        attempts: 1,
        last_status_code: null,
        last_error: null,
        next_attempt_at: null,
        delivered_at: "2026-02-28T10:00:01.500Z",
      },
      {
        id: expect.any(String),
        channel: "webhook",
        webhook_id: webhookId,
        webhook_name: "Slack",
        status: "failed",
        attempts: 3,
        last_status_code: 503,
        last_error: "Service Unavailable",
        next_attempt_at: "2026-02-28T10:30:00.000Z",
        delivered_at: null,
      },
    ]);
    expect(second?.deliveries).toEqual([]);
    for (const item of res.body.items) expect(item).not.toHaveProperty("cursor_ts");
  });

  it("never shows another user's alerts", async () => {
    const mine = new Set(ids(await allPages(owner, { limit: "100" })));
    expect(mine.size).toBe(seeded.length);
    for (const r of otherSeeded) expect(mine.has(r.id)).toBe(false);

    const stranger = await makeUser(app);
    const res = await call<Page>(GET, "GET", path, { token: stranger.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], next_cursor: null });
  });

  it("does not let a cursor from another user's page reveal their alerts", async () => {
    const theirs = await call<Page>(GET, "GET", path, {
      token: other.token,
      query: { limit: "2" },
    });
    const cursor = theirs.body.next_cursor as string;
    const pages = await allPages(owner, { cursor, limit: "100" });
    const otherIds = new Set(otherSeeded.map((r) => r.id));
    expect(ids(pages).some((id) => otherIds.has(id as string))).toBe(false);
  });

  it.each(["0", "101", "abc", "-1", "2.5", ""])(
    "rejects limit=%j with a 422 naming limit",
    async (limit) => {
      const res = await call(GET, "GET", path, { token: owner.token, query: { limit } });
      expect(res.status).toBe(422);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.body.errors).toEqual([{ path: "limit", message: expect.any(String) }]);
    },
  );

  it.each([
    ["garbage", "not-a-cursor"],
    ["valid base64 of the wrong shape", Buffer.from('{"a":1}').toString("base64url")],
    ["an impossible date", cursorOf("2026-13-45T99:99:99.000000Z")],
    ["the 30th of February", cursorOf("2026-02-30T10:00:00.000000Z")],
    ["year zero", cursorOf("0000-01-01T00:00:00.000000Z")],
    ["an over-long value", "x".repeat(500)],
  ])("rejects a cursor that is %s with a 422 naming cursor", async (_, cursor) => {
    const res = await call(GET, "GET", path, { token: owner.token, query: { cursor } });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ path: "cursor", message: expect.any(String) }]);
  });

  it.each([
    ["alert_type", "job_exploded"],
    ["status", "lost"],
    ["job_id", "job-1"],
    ["since", "yesterday"],
    ["since", "2026-02-30T00:00:00Z"],
    // Valid ISO 8601 that PostgreSQL cannot represent.
    ["since", "0000-01-01T00:00:00Z"],
    ["since", "2026-02-20T09:00:00+23:00"],
  ])("rejects %s=%j with a 422 naming it", async (name, value) => {
    const res = await call(GET, "GET", path, { token: owner.token, query: { [name]: value } });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ path: name, message: expect.any(String) }]);
  });

  it("rejects an unknown query parameter with a 422 naming it", async () => {
    const res = await call(GET, "GET", path, {
      token: owner.token,
      query: { alert_typ: "gpu_oom" },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { path: "alert_typ", message: expect.stringContaining('did you mean "alert_type"') },
    ]);
  });

  it("answers a request without a token with 401", async () => {
    const res = await call(GET, "GET", path);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});

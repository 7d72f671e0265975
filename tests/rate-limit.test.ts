import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { GET as getPreferences } from "@/app/api/alerts/preferences/route";
import { POST as createWebhook, GET as listWebhooks } from "@/app/api/alerts/webhooks/route";
import { parseConfig } from "@/lib/config/config";
import { createRateLimiter } from "@/lib/http/rate-limit";
import {
  type CallResult,
  call,
  ENCRYPTION_KEY,
  JWT_SECRET,
  makeUser,
  SERVICE_KEY,
  startTestApp,
  type TestApp,
  type TestUser,
} from "./helpers/app";

const USER_LIMIT = 5;
const INGEST_LIMIT = 8;

let app: TestApp;
let start: Date;
beforeAll(async () => {
  app = await startTestApp({
    ALERTS_API_RATE_LIMIT_PER_MINUTE: String(USER_LIMIT),
    ALERTS_INGEST_RATE_LIMIT_PER_MINUTE: String(INGEST_LIMIT),
  });
  start = app.ctx.clock();
});
afterAll(() => app.close());

// Each test starts a minute after the last, so every bucket starts full.
let minute = 0;
beforeEach(() => {
  minute += 2;
  app.setNow(new Date(start.getTime() + minute * 60_000));
});
const advance = (seconds: number) =>
  app.setNow(new Date(app.ctx.clock().getTime() + seconds * 1000));

const webhook = (user: TestUser, name = "Hook") =>
  call(createWebhook, "POST", "/api/alerts/webhooks", {
    token: user.token,
    body: { name, url: "https://example.com/hooks/abc", webhook_type: "generic" },
  });
const preferences = (user: TestUser) =>
  call(getPreferences, "GET", "/api/alerts/preferences", { token: user.token });
const event = (userId: string) =>
  call(postEvent, "POST", "/api/alerts/events", {
    token: SERVICE_KEY,
    body: { type: "job_started", user_id: userId, job_id: randomUUID() },
  });

async function count(table: string): Promise<number> {
  const { rows } = await app.ctx.db.query<{ n: number }>(`select count(*)::int as n from ${table}`);
  return rows[0]?.n ?? 0;
}

function expectRateLimited(res: CallResult, limit: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(429);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body).toMatchObject({
    status: 429,
    code: "rate_limited",
    type: "/problems/rate-limited",
  });
  expect(res.body.detail).toMatch(/Retry after \d+ s/);
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
  expect(res.headers.get("ratelimit-limit")).toBe(String(limit));
  expect(res.headers.get("ratelimit-remaining")).toBe("0");
  expect(Number(res.headers.get("ratelimit-reset"))).toBeGreaterThanOrEqual(retryAfter);
  return retryAfter;
}

describe("the API's rate limit per user", () => {
  it("counts down RateLimit-Remaining on every answer, refusals of the request included", async () => {
    const user = await makeUser(app);
    const remaining: (string | null)[] = [];
    for (let i = 0; i < USER_LIMIT; i++) {
      const res = i === 1 ? await webhook(user, "") : await preferences(user);
      expect(res.status).toBe(i === 1 ? 422 : 200);
      expect(res.headers.get("ratelimit-limit")).toBe(String(USER_LIMIT));
      expect(res.headers.get("ratelimit-policy")).toBe(`${USER_LIMIT};w=60`);
      expect(res.headers.get("retry-after")).toBeNull();
      remaining.push(res.headers.get("ratelimit-remaining"));
    }
    expect(remaining).toEqual(["4", "3", "2", "1", "0"]);
  });

  it("answers a user past the limit with 429, Retry-After and the RateLimit headers, and stores nothing", async () => {
    const user = await makeUser(app);
    for (let i = 0; i < USER_LIMIT; i++)
      expect((await webhook(user, `Hook ${i}`)).status).toBe(201);
    const before = await count("user_webhooks");

    const refused = await webhook(user, "One too many");
    const retryAfter = expectRateLimited(refused, USER_LIMIT);
    // 5 per minute refill one every 12 s.
    expect(retryAfter).toBe(12);
    expect(await count("user_webhooks")).toBe(before);
    // Every route of the user shares the one budget.
    expectRateLimited(await preferences(user), USER_LIMIT);
    expectRateLimited(
      await call(listWebhooks, "GET", "/api/alerts/webhooks", { token: user.token }),
      USER_LIMIT,
    );
  });

  it("leaves other users unaffected while one is limited", async () => {
    const noisy = await makeUser(app);
    const quiet = await makeUser(app);
    for (let i = 0; i < USER_LIMIT; i++) await preferences(noisy);
    expectRateLimited(await preferences(noisy), USER_LIMIT);

    const res = await preferences(quiet);
    expect(res.status).toBe(200);
    expect(res.headers.get("ratelimit-remaining")).toBe(String(USER_LIMIT - 1));
  });

  it("lets requests through again once Retry-After has passed, and a full budget after the minute", async () => {
    const user = await makeUser(app);
    for (let i = 0; i < USER_LIMIT; i++) await preferences(user);
    const retryAfter = expectRateLimited(await preferences(user), USER_LIMIT);

    advance(retryAfter - 1);
    expectRateLimited(await preferences(user), USER_LIMIT);
    advance(1);
    expect((await preferences(user)).status).toBe(200);
    expectRateLimited(await preferences(user), USER_LIMIT);

    advance(60);
    for (let i = 0; i < USER_LIMIT; i++) expect((await preferences(user)).status).toBe(200);
    expectRateLimited(await preferences(user), USER_LIMIT);
  });

  it("does not count refused requests, so a client that waits as told always gets through", async () => {
    const user = await makeUser(app);
    for (let i = 0; i < USER_LIMIT; i++) await preferences(user);
    // A client hammering without waiting does not push its own recovery further away.
    for (let i = 0; i < 50; i++) await preferences(user);
    const retryAfter = expectRateLimited(await preferences(user), USER_LIMIT);
    advance(retryAfter);
    expect((await preferences(user)).status).toBe(200);
  });

  it("answers requests without a valid token with 401 before any budget is spent", async () => {
    const user = await makeUser(app);
    for (let i = 0; i < 3 * USER_LIMIT; i++) {
      const res = await call(getPreferences, "GET", "/api/alerts/preferences", {
        token: `${user.token.slice(0, -4)}AAAA`,
      });
      expect(res.status).toBe(401);
      expect(res.headers.get("ratelimit-limit")).toBeNull();
    }
    const res = await preferences(user);
    expect(res.status).toBe(200);
    expect(res.headers.get("ratelimit-remaining")).toBe(String(USER_LIMIT - 1));
  });

  it("is off when the limit is 0", async () => {
    const user = await makeUser(app);
    const limits = app.ctx.config.apiRateLimit;
    const saved = limits.userPerMinute;
    limits.userPerMinute = 0;
    try {
      for (let i = 0; i < 3 * USER_LIMIT; i++) {
        const res = await preferences(user);
        expect(res.status).toBe(200);
        expect(res.headers.get("ratelimit-limit")).toBeNull();
      }
    } finally {
      limits.userPerMinute = saved;
    }
  });
});

describe("the API's rate limit for the service key", () => {
  it("has its own budget: producers pass while users are limited, and are limited apart from them", async () => {
    const user = await makeUser(app);
    for (let i = 0; i < USER_LIMIT; i++) await preferences(user);
    expectRateLimited(await preferences(user), USER_LIMIT);

    for (let i = 0; i < INGEST_LIMIT; i++) {
      const res = await event(user.id);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.headers.get("ratelimit-limit")).toBe(String(INGEST_LIMIT));
      expect(res.headers.get("ratelimit-remaining")).toBe(String(INGEST_LIMIT - 1 - i));
    }
    const stored = await count("alert_events");
    const retryAfter = expectRateLimited(await event(user.id), INGEST_LIMIT);
    expect(retryAfter).toBe(8); // 8 per minute: one every 7.5 s
    expect(await count("alert_events")).toBe(stored);

    // A limited service key does not spend users' budgets, nor they its.
    const other = await makeUser(app);
    expect((await preferences(other)).status).toBe(200);
    advance(retryAfter);
    expect((await event(user.id)).status).toBe(202);
    expectRateLimited(await preferences(user), USER_LIMIT);
  });

  it("does not charge a user token sent to a producer route (403) to any budget", async () => {
    const user = await makeUser(app);
    for (let i = 0; i < 2 * INGEST_LIMIT; i++) {
      const res = await call(postEvent, "POST", "/api/alerts/events", {
        token: user.token,
        body: { type: "job_started", user_id: user.id, job_id: randomUUID() },
      });
      expect(res.status).toBe(403);
    }
    expect((await event(user.id)).headers.get("ratelimit-remaining")).toBe(
      String(INGEST_LIMIT - 1),
    );
    expect((await preferences(user)).headers.get("ratelimit-remaining")).toBe(
      String(USER_LIMIT - 1),
    );
  });
});

describe("createRateLimiter", () => {
  const t0 = new Date("2026-03-01T00:00:00Z");
  const at = (ms: number) => new Date(t0.getTime() + ms);

  it("allows a burst of the whole limit, then refills at limit per minute", () => {
    const limiter = createRateLimiter();
    for (let i = 0; i < 600; i++) expect(limiter.take("k", 600, t0).allowed).toBe(true);
    const refused = limiter.take("k", 600, t0);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    expect(refused.resetSeconds).toBe(60);
    // 600 per minute is 10 per second.
    let passed = 0;
    for (let i = 0; i < 20; i++) if (limiter.take("k", 600, at(1000)).allowed) passed++;
    expect(passed).toBe(10);
  });

  it("refills nothing when the clock steps back, and never more than the limit", () => {
    const limiter = createRateLimiter();
    limiter.take("k", 2, at(60_000));
    limiter.take("k", 2, at(60_000));
    expect(limiter.take("k", 2, t0).allowed).toBe(false);
    expect(limiter.take("k", 2, at(10 * 60_000)).remaining).toBe(1);
  });

  it("keeps at most maxKeys buckets, forgetting full ones (which changes nothing) before the least recently used", () => {
    const limiter = createRateLimiter({ maxKeys: 10 });
    expect(limiter.take("hot", 1, t0).allowed).toBe(true);
    // Newer keys whose buckets are full again 60 ms later.
    for (let i = 0; i < 9; i++) limiter.take(`brief-${i}`, 1000, at(1));
    limiter.take("new", 1000, at(1000));
    // "hot" is the least recently used key, but its bucket is still empty: it is kept.
    expect(limiter.take("hot", 1, at(1000)).allowed).toBe(false);
  });
});

describe("configuration of the API's rate limits", () => {
  const env = {
    SUPABASE_JWT_SECRET: JWT_SECRET,
    ALERTS_SERVICE_KEY: SERVICE_KEY,
    ALERTS_ENCRYPTION_KEY: ENCRYPTION_KEY,
  };

  it("defaults to 600 per minute per user and 6000 per minute for producers", () => {
    expect(parseConfig(env).apiRateLimit).toEqual({ userPerMinute: 600, ingestPerMinute: 6000 });
  });

  it("names the variable when a limit is not a whole number", () => {
    expect(() => parseConfig({ ...env, ALERTS_API_RATE_LIMIT_PER_MINUTE: "-1" })).toThrow(
      /ALERTS_API_RATE_LIMIT_PER_MINUTE: must be a whole number/,
    );
    expect(() => parseConfig({ ...env, ALERTS_INGEST_RATE_LIMIT_PER_MINUTE: "lots" })).toThrow(
      /ALERTS_INGEST_RATE_LIMIT_PER_MINUTE: must be a whole number/,
    );
  });
});

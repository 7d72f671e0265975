import { randomBytes, randomUUID } from "node:crypto";
import pino from "pino";
import { type Env, parseConfig } from "@/lib/config/config";
import { migrate } from "@/lib/db/migrate";
import type { Db } from "@/lib/db/types";
import { createAuthenticator } from "@/lib/http/auth";
import { createRateLimiter } from "@/lib/http/rate-limit";
import type { RouteContext } from "@/lib/http/route";
import { signUserToken } from "@/lib/http/tokens";
import { type AppContext, setContext } from "@/lib/server/context";
import { createTestDb, type TestDb } from "./db";

export const JWT_SECRET = "test-jwt-secret-that-is-long-enough-0123456789";
export const SERVICE_KEY = "ta_sk_test_service_key_0123456789abcdef";
export const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");

export interface TestApp {
  ctx: AppContext;
  testDb: TestDb;
  /** Set the time the app sees. */
  setNow(date: Date): void;
  close(): Promise<void>;
}

/**
 * Starts the app's context on a fresh database, as route handlers will find it.
 * `beforeMigrate` shapes the database first (e.g. as Supabase's).
 */
export async function startTestApp(
  env: Env = {},
  options: { beforeMigrate?: (db: Db) => Promise<void> } = {},
): Promise<TestApp> {
  const testDb = await createTestDb({ migrate: !options.beforeMigrate });
  if (options.beforeMigrate) {
    await options.beforeMigrate(testDb.db);
    await migrate(testDb.db);
  }
  let now = new Date("2026-03-01T12:00:00Z");
  const clock = () => now;
  const config = parseConfig({
    SUPABASE_JWT_SECRET: JWT_SECRET,
    ALERTS_SERVICE_KEY: SERVICE_KEY,
    ALERTS_ENCRYPTION_KEY: ENCRYPTION_KEY,
    ALERTS_DATA_DIR: "./.data/test",
    ...env,
  });
  const ctx: AppContext = {
    config,
    db: testDb.db,
    log: pino({ level: "silent" }),
    clock,
    auth: createAuthenticator(config, clock),
    knownUsers: new Set(),
    rateLimiter: createRateLimiter(),
  };
  setContext(ctx);
  return {
    ctx,
    testDb,
    setNow(date) {
      now = date;
    },
    async close() {
      setContext(undefined);
      await testDb.drop();
    },
  };
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
}

export async function makeUser(
  app: TestApp,
  email = `u-${randomBytes(4).toString("hex")}@example.com`,
): Promise<TestUser> {
  const id = randomUUID();
  const token = await signUserToken(JWT_SECRET, {
    sub: id,
    email,
    now: app.ctx.clock(),
    expiresIn: 3600,
  });
  return { id, email, token };
}

type Handler = (req: Request, ctx?: RouteContext) => Promise<Response>;

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as is, instead of JSON-encoding `body`. */
  rawBody?: string | Buffer;
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface CallResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** Calls a route handler with a real Request, as Next would. */
export async function call<T = Record<string, unknown>>(
  handler: Handler,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult<T>> {
  const url = new URL(path, "http://localhost:3000");
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: BodyInit | undefined = options.rawBody as BodyInit | undefined;
  if (body === undefined && options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers["content-type"] ??= "application/json";
  const res = await handler(new Request(url, { method, headers, body }), {
    params: Promise.resolve(options.params ?? {}),
  });
  const text = await res.text();
  // JSON answers are parsed; anything else (Prometheus text) is kept as the string it is.
  const json = (res.headers.get("content-type") ?? "").includes("json");
  return {
    status: res.status,
    headers: res.headers,
    body: (text ? (json ? JSON.parse(text) : text) : undefined) as T,
  };
}

/**
 * A user whose alerts are not grouped (`group_window_seconds` 0), so every
 * alert goes out on its own as it did before grouping existed: for tests of
 * each alert's own delivery (pacing, retries, recording, rules).
 */
export async function makeUngroupedUser(app: TestApp, email?: string): Promise<TestUser> {
  const user = await makeUser(app, email);
  await app.ctx.db.query(
    "insert into auth.users (id, email) values ($1, $2) on conflict (id) do nothing",
    [user.id, user.email],
  );
  await app.ctx.db.query(
    `insert into user_alert_preferences (user_id, group_window_seconds) values ($1, 0)
     on conflict (user_id) do update set group_window_seconds = 0`,
    [user.id],
  );
  return user;
}

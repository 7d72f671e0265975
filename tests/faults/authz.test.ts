import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUserToken } from "@/lib/http/tokens";
import {
  type CallOptions,
  type CallResult,
  call,
  JWT_SECRET,
  makeUser,
  SERVICE_KEY,
  startTestApp,
  type TestApp,
  type TestUser,
} from "../helpers/app";
import { startReceiver } from "../helpers/receiver";
import { type ApiRoute, discoverRoutes, pathFor } from "./routes";

// Every route × every kind of credential: the status each must get, and no
// byte of another user's data in any answer. Routes are found on disk; a new
// route fails "covers every route" until it is given a row in ROUTES below.

let app: TestApp;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
/** Owns every row the requests address. */
let owner: TestUser;
/** Signed in, but not the owner. */
let other: TestUser;

/** Text that appears only in the owner's rows: none of it may reach anyone else. */
const MARK = `owner-only-${randomUUID().slice(0, 8)}`;

interface Fixture {
  webhookId: string;
  jobId: string;
  keyId: string;
}

type Access = "user" | "service" | "public";

interface RouteCase {
  access: Access;
  /** The route addresses one row by the id in its path (another user's: 404). */
  addressesRow?: boolean;
  /** A request that succeeds for the rightful caller. */
  request(fx: Fixture): CallOptions;
}

/** The requests carry nothing of the owner's: whatever an answer shows of it was read from storage. */
const webhookBody = () => ({ name: "Ops", url: `${receiver.url}/hook`, webhook_type: "generic" });

/** One row per route handler under app/api. */
const ROUTES: Record<string, RouteCase> = {
  "GET /api/alerts/preferences": { access: "user", request: () => ({}) },
  "PUT /api/alerts/preferences": {
    access: "user",
    request: () => ({ body: { quiet_hours_enabled: true } }),
  },
  "GET /api/alerts/webhooks": { access: "user", request: () => ({}) },
  "POST /api/alerts/webhooks": { access: "user", request: () => ({ body: webhookBody() }) },
  "GET /api/alerts/webhooks/[id]": {
    access: "user",
    addressesRow: true,
    request: (fx) => ({ params: { id: fx.webhookId } }),
  },
  "PATCH /api/alerts/webhooks/[id]": {
    access: "user",
    addressesRow: true,
    request: (fx) => ({ params: { id: fx.webhookId }, body: { enabled: false } }),
  },
  "PUT /api/alerts/webhooks/[id]": {
    access: "user",
    addressesRow: true,
    request: (fx) => ({ params: { id: fx.webhookId }, body: webhookBody() }),
  },
  "DELETE /api/alerts/webhooks/[id]": {
    access: "user",
    addressesRow: true,
    request: (fx) => ({ params: { id: fx.webhookId } }),
  },
  "POST /api/alerts/webhooks/[id]/test": {
    access: "user",
    addressesRow: true,
    request: (fx) => ({ params: { id: fx.webhookId } }),
  },
  "GET /api/alerts/history": { access: "user", request: () => ({ query: { limit: "100" } }) },
  "GET /api/alerts/events": { access: "user", request: () => ({}) },
  "GET /api/training/jobs": { access: "user", request: () => ({}) },
  "GET /api/training/jobs/[id]": {
    access: "user",
    addressesRow: true,
    request: (fx) => ({ params: { id: fx.jobId } }),
  },
  "GET /api/alerts/keys": { access: "user", request: () => ({}) },
  "POST /api/alerts/keys": { access: "user", request: () => ({ body: { name: "laptop" } }) },
  "DELETE /api/alerts/keys/[id]": {
    access: "user",
    addressesRow: true,
    request: (fx) => ({ params: { id: fx.keyId } }),
  },
  "POST /api/alerts/events": {
    access: "service",
    request: (fx) => ({
      body: {
        type: "job_failed",
        user_id: owner.id,
        job_id: fx.jobId,
        data: { error: "RuntimeError: boom" },
      },
    }),
  },
  "PUT /api/training/jobs/[id]": {
    access: "service",
    addressesRow: true,
    request: (fx) => ({ params: { id: fx.jobId }, body: { model_name: "renamed" } }),
  },
  "POST /api/training/jobs/[id]/progress": {
    access: "service",
    addressesRow: true,
    request: (fx) => ({ params: { id: fx.jobId }, body: { current_step: 7 } }),
  },
  "POST /api/training/jobs/[id]/logs": {
    access: "service",
    addressesRow: true,
    request: (fx) => ({
      params: { id: fx.jobId },
      body: { lines: ["RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB"] },
    }),
  },
  "GET /api/health": { access: "public", request: () => ({}) },
  "GET /api/openapi.json": { access: "public", request: () => ({}) },
};

// ---------------------------------------------------------------- credentials

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * The kinds of credential, each as the owner would be misrepresented: every
 * forged or stale token carries the owner's own user id, so a 401 proves the
 * check and not a missing row.
 */
const CREDENTIALS = {
  "no token": async (): Promise<CallOptions> => ({}),
  "a malformed Authorization header": async () => ({ headers: { authorization: "Basic x" } }),
  "an expired token": async () => ({
    token: await signUserToken(JWT_SECRET, {
      sub: owner.id,
      email: owner.email,
      now: new Date(app.ctx.clock().getTime() - 2 * 3600_000),
      expiresIn: 60,
    }),
  }),
  "a token signed with another secret": async () => ({
    token: await signUserToken("another-secret-that-is-long-enough-0123456789", {
      sub: owner.id,
      email: owner.email,
      now: app.ctx.clock(),
    }),
  }),
  'an unsigned token (alg "none")': async () => {
    const now = seconds(app.ctx.clock());
    const claims = { sub: owner.id, role: "authenticated", iat: now, exp: now + 3600 };
    return { token: `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims)}.` };
  },
  "a token whose sub is not a UUID": async () => ({
    token: await signUserToken(JWT_SECRET, { sub: "admin", now: app.ctx.clock() }),
  }),
  "another user's token": async () => ({ token: other.token }),
  "the service key": async () => ({ token: SERVICE_KEY }),
  "a made-up producer key": async () => ({ token: `tak_${"x".repeat(43)}` }),
  "a revoked producer key of the owner's": async () => ({ token: keys.revoked }),
  "another user's producer key": async () => ({ token: keys.other }),
  "the owner's producer key": async () => ({ token: keys.owner }),
  "the owner's user token": async () => ({ token: owner.token }),
} as const;
type Credential = keyof typeof CREDENTIALS;

const UNAUTHENTICATED: Credential[] = [
  "no token",
  "a malformed Authorization header",
  "an expired token",
  "a token signed with another secret",
  'an unsigned token (alg "none")',
  "a token whose sub is not a UUID",
  "a made-up producer key",
  "a revoked producer key of the owner's",
];

const PRODUCERS: Credential[] = ["the service key", "the owner's producer key"];

/** The answer each credential must get on a route of each kind. */
function expected(c: RouteCase, credential: Credential): number | "2xx" {
  if (c.access === "public") return 200;
  if (UNAUTHENTICATED.includes(credential)) return 401;
  if (c.access === "service") {
    if (PRODUCERS.includes(credential)) return "2xx";
    // Another user's key acts as that user: the owner's job is not theirs, the owner's id not theirs.
    if (credential === "another user's producer key") return c.addressesRow ? 404 : 403;
    return 403;
  }
  if (PRODUCERS.includes(credential) || credential === "another user's producer key") return 403;
  if (credential === "another user's token") return c.addressesRow ? 404 : "2xx";
  return "2xx";
}

/** Who may see the owner's rows in an answer. */
const mayReadOwnersRows = (c: RouteCase, credential: Credential) =>
  c.access === "public"
    ? false
    : c.access === "service"
      ? PRODUCERS.includes(credential)
      : credential === "the owner's user token";

// ---------------------------------------------------------------- set-up

let routes: ApiRoute[];
/** Producer keys (tak_…): the owner's, another user's, and one of the owner's that was revoked. */
const keys = { owner: "", other: "", revoked: "" };
const routesPromise = discoverRoutes();

beforeAll(async () => {
  app = await startTestApp({
    // Limits have their own tests; the matrix sends many requests as one user.
    ALERTS_API_RATE_LIMIT_PER_MINUTE: "0",
    ALERTS_INGEST_RATE_LIMIT_PER_MINUTE: "0",
    ALERTS_WEBHOOK_ALLOW_HTTP: "true",
    ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.1/32",
  });
  receiver = await startReceiver();
  routes = await routesPromise;
  owner = await makeUser(app, `${MARK}@example.com`);
  other = await makeUser(app);
  // The owner's preferences, history and a delivery, for the list routes to (not) show.
  await send("PUT /api/alerts/preferences", {
    token: owner.token,
    body: { email_address: `${MARK}-to@example.com` },
  });
  const newKey = async (user: TestUser, name: string) => {
    const res = await send("POST /api/alerts/keys", { token: user.token, body: { name } });
    return { id: String(res.body.id), key: String(res.body.key) };
  };
  keys.owner = (await newKey(owner, "credential")).key;
  keys.other = (await newKey(other, "credential")).key;
  const revoked = await newKey(owner, "credential (revoked)");
  keys.revoked = revoked.key;
  await send("DELETE /api/alerts/keys/[id]", { token: owner.token, params: { id: revoked.id } });
  const fx = await fixture();
  await app.ctx.db.query(
    `with alert as (
       insert into alert_history (user_id, alert_type, title, message, job_id, status, data)
       values ($1, 'job_failed', $2, $2, $3, 'sent', jsonb_build_object('error', $2::text))
       returning id
     )
     insert into alert_deliveries (alert_id, user_id, channel, webhook_id, status, attempts, last_error)
     select id, $1, 'webhook', $4, 'failed', 1, $2 from alert`,
    [owner.id, `${MARK} history`, fx.jobId, fx.webhookId],
  );
}, 120_000);

afterAll(async () => {
  await receiver?.close();
  await app?.close();
});

function route(name: string): ApiRoute {
  const found = routes.find((r) => r.name === name);
  if (!found) throw new Error(`no route ${name}`);
  return found;
}

function send(name: string, options: CallOptions): Promise<CallResult> {
  const r = route(name);
  return call(r.handler, r.method, pathFor(r.pattern, options.params ?? {}), options);
}

const fixtureHooks: string[] = [];

/** A fresh webhook and running job of the owner's, so a DELETE leaves the next route its own. */
async function fixture(): Promise<Fixture> {
  // Earlier fixtures' webhooks (but the first, which history refers to) and keys
  // go first, so the per-user caps never bite however many routes there are.
  if (fixtureHooks.length >= 10) {
    await app.ctx.db.query("delete from user_webhooks where id = any($1::uuid[])", [
      fixtureHooks.splice(1),
    ]);
  }
  const hook = await send("POST /api/alerts/webhooks", {
    token: owner.token,
    body: { name: `${MARK} hook`, url: `${receiver.url}/${MARK}`, webhook_type: "generic" },
  });
  await app.ctx.db.query("delete from producer_keys where user_id = $1 and name = 'fixture'", [
    owner.id,
  ]);
  const key = await send("POST /api/alerts/keys", {
    token: owner.token,
    body: { name: "fixture" },
  });
  const jobId = randomUUID();
  const job = await send("PUT /api/training/jobs/[id]", {
    token: SERVICE_KEY,
    params: { id: jobId },
    body: { user_id: owner.id, model_name: `${MARK}-model`, status: "running" },
  });
  expect(
    [hook.status, job.status, key.status],
    JSON.stringify([hook.body, job.body, key.body]),
  ).toEqual([201, 201, 201]);
  fixtureHooks.push(String(hook.body.id));
  return { webhookId: String(hook.body.id), jobId, keyId: String(key.body.id) };
}

/** Everything stored about the owner, to compare before and after a refused request. */
async function ownersRows(): Promise<string> {
  const { rows } = await app.ctx.db.query<{ t: string }>(
    `select concat_ws(' | ',
       (select string_agg(p::text, ',' order by p.id) from user_alert_preferences p where user_id = $1),
       (select string_agg(w::text, ',' order by w.id) from user_webhooks w where user_id = $1),
       (select string_agg(j::text, ',' order by j.id) from training_jobs j where user_id = $1),
       (select string_agg(e::text, ',' order by e.id) from alert_events e where user_id = $1),
       (select string_agg(h::text, ',' order by h.id) from alert_history h where user_id = $1),
       -- Not last_used_at: presenting a key is using it, even on a route it may not call.
       (select string_agg(concat_ws(',', k.id, k.name, k.prefix, k.key_hash, k.created_at), ',' order by k.id)
          from producer_keys k where user_id = $1)
     ) as t`,
    [owner.id],
  );
  return rows[0]?.t ?? "";
}

/** Strings that identify the owner's data. */
const ownersSecrets = (fx: Fixture) => [
  MARK,
  owner.id,
  owner.email,
  fx.webhookId,
  fx.jobId,
  fx.keyId,
  keys.owner,
];

// ---------------------------------------------------------------- the matrix

describe("the authorisation matrix", async () => {
  const all = await routesPromise;

  it("covers every route handler under app/api", () => {
    expect(Object.keys(ROUTES).sort()).toEqual(all.map((r) => r.name).sort());
  });

  describe.each(all.map((r) => [r.name] as const))("%s", (name) => {
    it("answers each credential with the expected status, and lets only the rightful caller read or change the owner's rows", async () => {
      const c = ROUTES[name];
      if (!c) throw new Error(`${name} has no row in ROUTES`);
      const fx = await fixture();
      const request = c.request(fx);
      const credentials = Object.keys(CREDENTIALS) as Credential[];
      // The rightful caller goes last: its DELETE would leave nothing for the others to try.
      const order = [
        ...credentials.filter((x) => !mayReadOwnersRows(c, x)),
        ...credentials.filter((x) => mayReadOwnersRows(c, x)),
      ];
      const table: string[] = [];
      const wrong: string[] = [];

      for (const credential of order) {
        const rowsBefore = await ownersRows();
        const sentBefore = receiver.requests.length;
        const res = await send(name, { ...request, ...(await CREDENTIALS[credential]()) });
        const want = expected(c, credential);
        const ok = want === "2xx" ? res.status >= 200 && res.status < 300 : res.status === want;
        table.push(`${credential}: ${res.status}`);
        if (!ok)
          wrong.push(
            `${credential}: wanted ${want}, got ${res.status} ${JSON.stringify(res.body)}`,
          );

        if (res.status >= 400) {
          if (res.headers.get("content-type") !== "application/problem+json") {
            wrong.push(`${credential}: a ${res.status} that is not problem+json`);
          }
          if (res.status === 401 && !res.headers.get("www-authenticate")?.startsWith("Bearer")) {
            wrong.push(`${credential}: a 401 without a Bearer challenge`);
          }
        }
        if (!mayReadOwnersRows(c, credential)) {
          if ((await ownersRows()) !== rowsBefore) {
            wrong.push(`${credential}: the request changed the owner's rows`);
          }
          if (receiver.requests.length !== sentBefore) {
            wrong.push(`${credential}: the request reached the owner's webhook`);
          }
          const text = JSON.stringify(res.body ?? "") + [...res.headers.values()].join(" ");
          for (const secret of ownersSecrets(fx)) {
            if (text.includes(secret)) wrong.push(`${credential}: the answer shows "${secret}"`);
          }
        }
      }
      expect(wrong, table.join("\n")).toEqual([]);
    });
  });
});

describe("another user's token on the owner's rows", () => {
  it("lists only the caller's own webhooks, history and preferences", async () => {
    const fx = await fixture();
    const lists = await Promise.all([
      send("GET /api/alerts/webhooks", { token: other.token }),
      send("GET /api/alerts/history", { token: other.token, query: { limit: "100" } }),
      send("GET /api/alerts/preferences", { token: other.token }),
    ]);
    for (const res of lists) {
      expect(res.status).toBe(200);
      for (const secret of ownersSecrets(fx))
        expect(JSON.stringify(res.body)).not.toContain(secret);
    }
    expect(lists[2]?.body.user_id).toBe(other.id);
    // And the owner does see them: the check above is not vacuous.
    const own = await send("GET /api/alerts/webhooks", { token: owner.token });
    expect(JSON.stringify(own.body)).toContain(fx.webhookId);
    const history = await send("GET /api/alerts/history", {
      token: owner.token,
      query: { limit: "100" },
    });
    expect(JSON.stringify(history.body)).toContain(`${MARK} history`);
  });

  it("cannot reach the owner's webhook by history filters or a job id", async () => {
    const fx = await fixture();
    const res = await send("GET /api/alerts/history", {
      token: other.token,
      query: { job_id: fx.jobId },
    });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
  });
});

import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { URL_PURPOSE } from "@/lib/alerts/webhook-input";
import { storable } from "@/lib/http/body";
import { buildOpenApiDocument } from "@/lib/http/openapi";
import { encrypt } from "@/lib/security/encryption";
import { makeUser, SERVICE_KEY, startTestApp, type TestApp } from "../helpers/app";
import { startReceiver } from "../helpers/receiver";
import { type ApiRoute, discoverRoutes, pathFor } from "./routes";

// Every route handler under app/api, called with generated hostile input. For
// each answer: never a 5xx; every 4xx is problem+json; every 422 names fields
// the request sent or the route documents; a refused request changes nothing
// stored; Object.prototype stays clean.

/** Runs per route and property; the whole file stays around a minute. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
/** Fixed seed so a failure reproduces; FUZZ_SEED=random explores new ground. */
const SEED = process.env.FUZZ_SEED === "random" ? Date.now() : Number(process.env.FUZZ_SEED ?? 7);

let app: TestApp;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let routes: ApiRoute[];
let userId: string;
let userToken: string;
let otherUserId: string;
let webhookId: string;
let jobId: string;
const access = new Map<string, "user" | "service" | "public">();

const routesPromise = discoverRoutes();

beforeAll(async () => {
  app = await startTestApp({
    // The limiter has its own tests; here it would only turn the fuzzer's calls into 429s.
    ALERTS_API_RATE_LIMIT_PER_MINUTE: "0",
    ALERTS_INGEST_RATE_LIMIT_PER_MINUTE: "0",
    ALERTS_WEBHOOK_ALLOW_HTTP: "true",
    ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.1/32",
  });
  receiver = await startReceiver();
  routes = await routesPromise;
  const user = await makeUser(app);
  userId = user.id;
  userToken = user.token;
  otherUserId = (await makeUser(app)).id;
  for (const route of routes) access.set(route.name, await probeAccess(route));
  const byName = (name: string) => {
    const found = routes.find((r) => r.name === name);
    if (!found) throw new Error(`fixture route ${name} is gone`);
    return found;
  };
  const hook = await send(byName("POST /api/alerts/webhooks"), {
    body: json({ name: "Fuzz target", url: `${receiver.url}/hook`, webhook_type: "generic" }),
  });
  webhookId = String(hook.body?.id);
  jobId = randomUUID();
  const job = await send(byName("PUT /api/training/jobs/[id]"), {
    params: { id: jobId },
    body: json({ user_id: userId, model_name: "fuzz-model", status: "running" }),
  });
  expect([hook.status, job.status]).toEqual([201, 201]);
  await app.ctx.db.query(
    `insert into alert_history (user_id, alert_type, title, message, job_id, status)
     values ($1, 'job_started', 'Started', 'A job started', $2, 'sent')`,
    [userId, jobId],
  );
}, 120_000);

afterAll(async () => {
  await receiver?.close();
  await app?.close();
});

// ---------------------------------------------------------------- requests

type Body =
  | { kind: "none" }
  | { kind: "json"; value: unknown }
  | { kind: "raw"; bytes: Uint8Array };

interface FuzzRequest {
  params?: Record<string, string>;
  /** A raw query string (without "?"), sent as is. */
  query?: string;
  body?: Body;
  contentType?: string | null;
  /** "valid" sends the credential the route wants; anything else is sent as the header. */
  authorization?: "valid" | string;
  headers?: Record<string, string>;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown> | undefined;
}

const json = (value: unknown): Body => ({ kind: "json", value });

function buildRequest(route: ApiRoute, input: FuzzRequest): Request {
  const path = pathFor(route.pattern, input.params ?? {});
  const url = `http://localhost:3000${path}${input.query ? `?${input.query}` : ""}`;
  const headers = new Headers();
  for (const [name, value] of Object.entries(input.headers ?? {})) headers.set(name, value);
  const authorization = input.authorization ?? "valid";
  if (authorization === "valid") {
    const kind = access.get(route.name);
    if (kind !== "public") {
      headers.set("authorization", `Bearer ${kind === "service" ? SERVICE_KEY : userToken}`);
    }
  } else {
    headers.set("authorization", authorization);
  }
  let body: BodyInit | undefined;
  const b = input.body ?? { kind: "none" };
  if (b.kind === "json") body = serialize(b.value);
  if (b.kind === "raw") body = Buffer.from(b.bytes);
  if (body !== undefined && input.contentType !== null) {
    headers.set("content-type", input.contentType ?? "application/json");
  }
  const method = route.method;
  return new Request(url, {
    method,
    headers,
    body: method === "GET" || method === "HEAD" ? undefined : body,
  });
}

async function send(route: ApiRoute, input: FuzzRequest): Promise<Answer> {
  const res = await route.handler(buildRequest(route, input), {
    params: Promise.resolve(input.params ?? {}),
  });
  const text = await res.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** Public when it answers without a token; a service route when a user token is 403. */
async function probeAccess(route: ApiRoute): Promise<"user" | "service" | "public"> {
  const params = Object.fromEntries(route.params.map((p) => [p, randomUUID()]));
  const anonymous = await route.handler(buildRequest(route, { params, authorization: "" }), {
    params: Promise.resolve(params),
  });
  if (anonymous.status !== 401) return "public";
  const headers = { authorization: `Bearer ${userToken}` };
  const asUser = await route.handler(
    new Request(`http://localhost:3000${pathFor(route.pattern, params)}`, {
      method: route.method,
      headers,
    }),
    { params: Promise.resolve(params) },
  );
  return asUser.status === 403 ? "service" : "user";
}

// ---------------------------------------------------------------- what may be named

const openApi = buildOpenApiDocument("http://localhost:3000") as {
  paths: Record<string, Record<string, OpenApiOperation>>;
};
interface OpenApiOperation {
  parameters?: { name: string }[];
  requestBody?: { content: { "application/json": { schema: { properties?: object } } } };
}

/** Field names a route documents: body properties and query parameters. */
function documentedFields(route: ApiRoute): string[] {
  const op =
    openApi.paths[route.pattern.replace(/\[([^\]]+)\]/g, "{$1}")]?.[route.method.toLowerCase()];
  return [
    ...(op?.parameters ?? []).map((p) => p.name),
    ...Object.keys(op?.requestBody?.content["application/json"].schema.properties ?? {}),
  ];
}

// ---------------------------------------------------------------- stored state

const FINGERPRINT_TABLES = [
  "user_alert_preferences",
  "user_webhooks",
  "alert_events",
  "training_jobs",
  "alert_history",
  "alert_deliveries",
  "auth.users",
];

/**
 * Counts and a digest of every row, so a change that keeps counts and
 * timestamps (an update at the test's fixed clock) still shows.
 */
async function fingerprint(): Promise<string> {
  const { rows } = await app.ctx.db.query<{ t: string; n: number; h: string }>(
    FINGERPRINT_TABLES.map(
      (t) =>
        `select '${t}' as t, count(*)::int as n,
                coalesce(md5(string_agg(x::text, '|' order by x::text)), '') as h
         from ${t} x`,
    ).join(" union all "),
  );
  return rows.map((r) => `${r.t}:${r.n}:${r.h}`).join(" ");
}

const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
const prototypeKeys = () =>
  PROTOTYPES.map((p) => Reflect.ownKeys(p).map(String).sort().join(",")).join(" / ");
const cleanPrototypes = prototypeKeys();

// ---------------------------------------------------------------- the properties

function describeRequest(input: FuzzRequest): string {
  const body = input.body;
  const shown =
    body?.kind === "json"
      ? serialize(body.value)
      : body?.kind === "raw"
        ? `raw(${body.bytes.length} bytes)`
        : "";
  return JSON.stringify({ ...input, body: shown.length > 300 ? `${shown.slice(0, 300)}…` : shown });
}

/** Sends one request and says what is wrong with the answer (nothing: an empty string). */
async function check(route: ApiRoute, input: FuzzRequest): Promise<string> {
  try {
    buildRequest(route, input);
  } catch {
    return ""; // not a request an HTTP client can send (a line break in a header, say)
  }
  const before = await fingerprint();
  const answer = await send(route, input);
  const problems: string[] = [];
  const type = answer.headers.get("content-type") ?? "";
  if (answer.status >= 500) problems.push(`answered ${answer.status}`);
  if (answer.status >= 400) {
    if (type !== "application/problem+json") problems.push(`a ${answer.status} as ${type}`);
    const b = answer.body;
    if (!b || b.status !== answer.status || typeof b.type !== "string" || !b.title || !b.detail) {
      problems.push("the problem body lacks type, title, status or detail");
    }
    if ((await fingerprint()) !== before) problems.push("a refused request changed stored rows");
  }
  if (answer.status === 422) {
    const errors = answer.body?.errors as { path?: unknown; message?: unknown }[] | undefined;
    if (!Array.isArray(errors) || errors.length === 0) problems.push("a 422 without errors[]");
    const sent = sentNames(input);
    const allowed = new Set([...documentedFields(route), ...sent, "(root)"].map(lower));
    for (const e of errors ?? []) {
      if (typeof e.path !== "string" || !e.path || typeof e.message !== "string" || !e.message) {
        problems.push(`an error without path or message: ${JSON.stringify(e)}`);
      } else if (
        ![...allowed].some(
          (n) => lower(e.path as string) === n || lower(e.path as string).startsWith(`${n}.`),
        )
      ) {
        problems.push(`an error names "${e.path}", which the request neither sent nor documents`);
      } else if (e.path === "(root)" && isPlainObject(jsonBody(input)) && !rootRules(e.message)) {
        problems.push(`an object body's error names no field: ${e.message}`);
      }
    }
  }
  if (answer.headers.get("x-injected") !== null) problems.push("a header was injected");
  if (prototypeKeys() !== cleanPrototypes || ({} as Record<string, unknown>).polluted) {
    problems.push("a prototype was polluted");
  }
  if (problems.length === 0) return "";
  return `${problems.join("; ")}\n  answer: ${answer.status} ${answer.text.slice(0, 400)}`;
}

const lower = (s: string) => s.toLowerCase();
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" &&
  v !== null &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
/** The body as the server parses it (unstorable characters replaced), when it is JSON. */
function jsonBody(input: FuzzRequest): unknown {
  const body = input.body;
  try {
    if (body?.kind === "json") return storable(JSON.parse(serialize(body.value)));
    if (body?.kind === "raw") return storable(JSON.parse(new TextDecoder().decode(body.bytes)));
  } catch {
    // not JSON: no field names to find
  }
  return undefined;
}

/** Rules about the request as a whole, which no single field breaks. */
const rootRules = (message: string) => /at most \d+ webhooks/.test(message);

/** Body keys, query keys and header names the request carried. */
function sentNames(input: FuzzRequest): string[] {
  const body = jsonBody(input);
  // As the server reads it: the URL parser drops a fragment and trims spaces.
  const query = [...new URL(`http://localhost/?${input.query ?? ""}`).searchParams.keys()];
  return [
    ...(isPlainObject(body) ? Object.keys(body) : []),
    ...query,
    ...Object.keys(input.headers ?? {}),
  ].map((name) => (name === "" ? '""' : name));
}

async function assertNoFindings(route: ApiRoute, inputs: fc.Arbitrary<FuzzRequest>) {
  await fc.assert(
    fc.asyncProperty(inputs, async (input) => {
      const problem = await check(route, input);
      if (problem)
        throw new Error(`${route.name}: ${problem}\n  request: ${describeRequest(input)}`);
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
}

// ---------------------------------------------------------------- generators

const SQL = [
  "'; drop table user_webhooks; --",
  "' or '1'='1",
  '" or ""="',
  "1; select pg_sleep(10)",
  "$1",
  "%' and 1=1 --",
  "\\",
  "E'\\\\x00'",
  "\\u0000",
];
const INJECTION = [
  "name\r\nX-Injected: 1",
  "https://example.com/hook\r\nX-Injected: 1",
  "https://example.com/%0d%0aX-Injected:%201",
  "https://good.com@127.0.0.1/",
  "http://169.254.169.254/latest/meta-data/",
  "https://example.com/\u0000",
  "https://[::ffff:127.0.0.1]/",
  "javascript:alert(1)",
  "<script>alert(1)</script>",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose.
  "{{7*7}}${7*7}",
  "@everyone <!channel>",
  "\u202eevil\u202c",
  "\ud800",
  "\u0000",
  "a\u0000b",
  "😀".repeat(50),
];
const POLLUTION_KEYS = ["__proto__", "constructor", "prototype", "__defineGetter__", "toString"];

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  { weight: 3, arbitrary: fc.constantFrom(...SQL, ...INJECTION, ...POLLUTION_KEYS) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("x", "é", "😀", "\u0000"), fc.integer({ min: 200, max: 40_000 }))
      .map(([c, n]) => c.repeat(n)),
  },
);

/**
 * Arrays or objects nested `depth` deep, kept as a description and written out
 * as text: JSON.stringify (and fast-check's own printer) would overflow the
 * stack on the value itself, and the server must see exactly that text.
 */
class Deep {
  constructor(
    readonly depth: number,
    readonly kind: "array" | "object" = "array",
  ) {}
  text(): string {
    const [open, close] = this.kind === "array" ? ["[", "]"] : ['{"a":', "}"];
    return `${open.repeat(this.depth)}"deep"${close.repeat(this.depth)}`;
  }
  [fc.toStringMethod](): string {
    return `Deep(${this.depth}, ${this.kind})`;
  }
}

/** JSON text of a generated value, with `Deep` written out and own `__proto__` keys kept. */
function serialize(value: unknown): string {
  if (value instanceof Deep) return value.text();
  if (Array.isArray(value)) return `[${value.map(serialize).join(",")}]`;
  if (isPlainObject(value)) {
    const members = Object.keys(value).map((k) => `${JSON.stringify(k)}:${serialize(value[k])}`);
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      0,
      -1,
      1.5,
      1e308,
      -1e308,
      2 ** 53 + 1,
      2_147_483_648,
      true,
      false,
      null,
      [],
      {},
      "",
      " ",
      "null",
      "true",
      "0",
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 50, max: 15_000 }),
        fc.constantFrom("array", "object") as fc.Arbitrary<"array" | "object">,
      )
      .map(([depth, kind]) => new Deep(depth, kind)),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(...POLLUTION_KEYS)
      .map((k) => JSON.parse(`{"${k}":{"polluted":true}}`)),
  },
);

/** `value` with `bad` added to every string in it. */
function poison(value: unknown, bad: string): unknown {
  if (typeof value === "string") return `${value}${bad}`;
  if (Array.isArray(value)) return value.map((v) => poison(v, bad));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poison(v, bad)]));
  }
  return value;
}

/** Sets `key` as an own property even when it is `__proto__`. */
function withKey(target: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return target;
}

type Mutation =
  | { op: "set"; key: string; value: unknown }
  | { op: "delete"; key: string }
  | { op: "nest"; key: string; inner: string; value: unknown };

function mutate(seed: Record<string, unknown>, mutations: Mutation[]): unknown {
  const body: Record<string, unknown> = JSON.parse(JSON.stringify(seed));
  for (const m of mutations) {
    if (m.op === "set") withKey(body, m.key, m.value);
    if (m.op === "delete") delete body[m.key];
    if (m.op === "nest") {
      const current = body[m.key];
      const inner = isPlainObject(current) ? { ...current } : {};
      withKey(body, m.key, withKey(inner, m.inner, m.value));
    }
  }
  return body;
}

/** Valid requests for each route, which the fuzzer then breaks one field at a time. */
function seedBody(route: ApiRoute): Record<string, unknown> {
  switch (route.name) {
    case "PUT /api/alerts/preferences":
      return { email_enabled: true, timezone: "UTC", quiet_hours_start: "22:00" };
    case "POST /api/alerts/webhooks":
    case "PUT /api/alerts/webhooks/[id]":
    case "PATCH /api/alerts/webhooks/[id]":
      return { name: "Hook", url: `${receiver.url}/hook`, webhook_type: "generic" };
    case "POST /api/alerts/events":
      return {
        type: "job_failed",
        user_id: userId,
        job_id: randomUUID(),
        data: { error: "RuntimeError: boom", model_name: "m" },
      };
    case "PUT /api/training/jobs/[id]":
      return { user_id: userId, model_name: "m", status: "running", metadata: { lr: 0.1 } };
    case "POST /api/training/jobs/[id]/progress":
      return { current_step: 10, loss: 0.5 };
    case "POST /api/training/jobs/[id]/logs":
      return { lines: ["RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB"] };
    default:
      return {};
  }
}

function bodyArb(route: ApiRoute): fc.Arbitrary<Body> {
  const fields = [...documentedFields(route), ...Object.keys(seedBody(route))];
  const key = fc.oneof(
    { weight: 4, arbitrary: fields.length ? fc.constantFrom(...fields) : fc.string() },
    { weight: 1, arbitrary: fc.constantFrom(...POLLUTION_KEYS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({ op: fc.constant("set" as const), key, value: hostileValue }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("delete" as const), key }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant("nest" as const),
        key,
        inner: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...POLLUTION_KEYS)),
        value: hostileValue,
      }),
    },
  );
  const invalidUtf8 = fc
    .tuple(
      fc.uint8Array({ maxLength: 64 }),
      fc.constantFrom([0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80]),
    )
    .map(([bytes, bad]) => {
      const prefix = new TextEncoder().encode('{"name":"');
      return new Uint8Array([...prefix, ...bytes, ...bad, 0x22, 0x7d]);
    });
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .array(mutation, { minLength: 1, maxLength: 3 })
        .map((ms) => json(mutate(seedBody(route), ms))),
    },
    { weight: 1, arbitrary: hostileValue.map(json) },
    { weight: 1, arbitrary: invalidUtf8.map((bytes): Body => ({ kind: "raw", bytes })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          "",
          "{",
          '{"a":',
          "[".repeat(10_000) + "]".repeat(10_000),
          `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`,
          "[".repeat(30_000),
          '{"__proto__":{"polluted":true}}',
          '{"constructor":{"prototype":{"polluted":true}}}',
          '{"name":"a","name":"b"}',
          "\ufeff{}",
          "NaN",
          "1e999999",
          '"\\ud800"',
          '{"name":"\\u0000"}',
        )
        .map((text): Body => ({ kind: "raw", bytes: new TextEncoder().encode(text) })),
    },
    { weight: 1, arbitrary: fc.constant<Body>({ kind: "none" }) },
  );
}

function paramsArb(route: ApiRoute): fc.Arbitrary<Record<string, string>> {
  const value = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(webhookId, jobId, userId, otherUserId) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.uuid().map((u) => u.toUpperCase()) },
    { weight: 2, arbitrary: hostileString },
    {
      weight: 1,
      arbitrary: fc.constantFrom("..", "../..", "%2e%2e", "00000000-0000-0000-0000-000000000000"),
    },
  );
  return fc.record(Object.fromEntries(route.params.map((p) => [p, value])));
}

function queryArb(route: ApiRoute): fc.Arbitrary<string | undefined> {
  const names = documentedFields(route);
  const key = fc.oneof(
    {
      weight: 3,
      arbitrary: names.length ? fc.constantFrom(...names) : fc.string({ maxLength: 8 }),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
    { weight: 1, arbitrary: fc.constantFrom(...POLLUTION_KEYS) },
  );
  const structured = fc
    .array(fc.tuple(key, hostileString), { maxLength: 4 })
    .map((pairs) => new URLSearchParams(pairs).toString());
  const raw = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      "%",
      "%zz",
      "a=%ff%fe",
      "limit=1&limit=2",
      "cursor=%00",
      "&&&==",
      "a[b]=c&__proto__[x]=1",
    ),
  );
  return fc.option(fc.oneof({ weight: 3, arbitrary: structured }, { weight: 1, arbitrary: raw }), {
    nil: undefined,
  });
}

const headerValue = fc.oneof(
  hostileString,
  fc.constantFrom("0", "99999999", "-1", "abc", "1e9", " 5"),
);

const authorizationArb = fc.oneof(
  { weight: 12, arbitrary: fc.constant("valid") },
  {
    weight: 1,
    arbitrary: fc.oneof(
      hostileString,
      hostileString.map((s) => `Bearer ${s}`),
      fc.constantFrom(
        "Bearer a.b.c",
        "Bearer ",
        `Bearer ${"x".repeat(20_000)}`,
        `Bearer ${SERVICE_KEY} `,
        `Bearer ${SERVICE_KEY}x`,
        `Basic ${Buffer.from(`x:${SERVICE_KEY}`).toString("base64")}`,
      ),
    ),
  },
);

function requestArb(route: ApiRoute): fc.Arbitrary<FuzzRequest> {
  return fc.record(
    {
      params: paramsArb(route),
      query: queryArb(route),
      body: bodyArb(route),
      contentType: fc.oneof(
        { weight: 8, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            null,
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json; charset=latin1",
            "application/merge-patch+json",
            "application/jsonp",
            "APPLICATION/JSON",
          ),
        },
      ),
      authorization: authorizationArb,
      headers: fc.dictionary(
        fc.constantFrom(
          "idempotency-key",
          "x-forwarded-for",
          "content-length",
          "x-request-id",
          "origin",
        ),
        headerValue,
        { maxKeys: 2 },
      ),
    },
    { requiredKeys: ["params", "body", "authorization"] },
  );
}

// ---------------------------------------------------------------- the tests

/** Before each route: webhook URLs point back at the receiver, so a test send stays local. */
async function resetWebhookUrls() {
  await app.ctx.db.query("update user_webhooks set url = $1", [
    encrypt(app.ctx.config.encryptionKeys, `${receiver.url}/hook`, URL_PURPOSE),
  ]);
}

describe("fuzzing every route handler", async () => {
  const all = await routesPromise;

  it("finds the API's routes on disk", () => {
    expect(all.map((r) => r.name)).toEqual(
      expect.arrayContaining(["POST /api/alerts/events", "GET /api/alerts/history"]),
    );
  });

  describe.each(all.map((r) => [r.name, r] as const))("%s", (_name, route) => {
    it("answers generated hostile requests without a 5xx, with problem+json naming fields, changing nothing when refused", async () => {
      await resetWebhookUrls();
      await assertNoFindings(route, requestArb(route));
    });

    it("survives deep JSON, invalid UTF-8 and prototype-pollution keys in the body", async () => {
      await resetWebhookUrls();
      const bodies: Body[] = [
        json(new Deep(10_000)),
        json(new Deep(10_000, "object")),
        json(
          mutate(seedBody(route), [
            { op: "nest", key: "data", inner: "x", value: new Deep(10_000) },
          ]),
        ),
        json(
          mutate(seedBody(route), [
            { op: "set", key: "metadata", value: new Deep(5_000, "object") },
          ]),
        ),
        ...Object.keys(seedBody(route)).map((k) =>
          json(mutate(seedBody(route), [{ op: "set", key: k, value: new Deep(10_000) }])),
        ),
        // One field at a time, every string in it carrying what PostgreSQL cannot store.
        ...Object.entries(seedBody(route)).flatMap(([k, v]) =>
          ["\u0000", "\ud800", "\udc00x"].map((bad) =>
            json(mutate(seedBody(route), [{ op: "set", key: k, value: poison(v, bad) }])),
          ),
        ),
        json(
          mutate(seedBody(route), [
            { op: "nest", key: "data", inner: "key\u0000\ud800", value: "value" },
          ]),
        ),
        ...["__proto__", "constructor", "prototype"].map((k) =>
          json(mutate(seedBody(route), [{ op: "set", key: k, value: { polluted: true } }])),
        ),
        json(
          mutate(seedBody(route), [
            { op: "nest", key: "data", inner: "__proto__", value: { polluted: true } },
          ]),
        ),
        json(
          mutate(seedBody(route), [
            { op: "nest", key: "metadata", inner: "__proto__", value: { polluted: true } },
          ]),
        ),
        { kind: "raw", bytes: Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) },
        { kind: "raw", bytes: new TextEncoder().encode("[".repeat(40_000) + "]".repeat(20_000)) },
      ];
      const findings: string[] = [];
      for (const body of bodies) {
        const params = Object.fromEntries(
          route.params.map((p) => [p, route.pattern.includes("webhooks") ? webhookId : jobId]),
        );
        const problem = await check(route, { params, body });
        if (problem) findings.push(`${problem}\n  request: ${describeRequest({ params, body })}`);
      }
      expect(findings).toEqual([]);
    });
  });
});

import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as history } from "@/app/api/alerts/history/route";
import {
  DELETE as deleteOne,
  GET as getOne,
  PATCH as patchOne,
  PUT as putOne,
} from "@/app/api/alerts/webhooks/[id]/route";
import { POST as create, GET as list } from "@/app/api/alerts/webhooks/route";
import { SECRET_PURPOSE, URL_PURPOSE } from "@/lib/alerts/webhook-input";
import { decrypt } from "@/lib/security/encryption";
import { setContext } from "@/lib/server/context";
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

const path = "/api/alerts/webhooks";
const SLACK_URL = "https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/slackPathToken0123456789";
const DISCORD_URL =
  "https://discord.com/api/webhooks/123456789012345678/discordPathToken-abcdefghijklmnop";

type Body = Record<string, unknown>;

const newSecret = (bytes = 32) => `whsec_${randomBytes(bytes).toString("base64")}`;

async function createWebhook(user: TestUser, body: Body = {}): Promise<Body> {
  const res = await call(create, "POST", path, {
    token: user.token,
    body: { name: "Ops alerts", url: SLACK_URL, ...body },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const item = (
  handler: typeof getOne,
  method: string,
  user: TestUser,
  id: string,
  body?: unknown,
): Promise<CallResult> =>
  call(handler, method, `${path}/${id}`, { token: user.token, params: { id }, body });

async function listIds(user: TestUser): Promise<string[]> {
  const res = await call<{ items: Body[] }>(list, "GET", path, { token: user.token });
  expect(res.status).toBe(200);
  return res.body.items.map((w) => w.id as string);
}

async function storedRow(id: string) {
  const { rows } = await app.ctx.db.query<{
    url: string;
    url_masked: string;
    secret: string | null;
  }>("select url, url_masked, secret from user_webhooks where id = $1", [id]);
  return rows[0];
}

/** A 422 with one error for `field`, whose message says what to send (not zod's default text). */
function expectFieldError(res: CallResult, field: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body).toMatchObject({ status: 422, type: "/problems/validation-failed" });
  const errors = (res.body.errors as { path: string; message: string }[]).filter(
    (e) => e.path === field,
  );
  expect(errors, JSON.stringify(res.body.errors)).toHaveLength(1);
  // zod's defaults ("Invalid input", "must match pattern /^…/") tell a client nothing.
  expect(errors[0]?.message).not.toMatch(/^Invalid\b|pattern/);
}

describe("webhooks API: create, read, list", () => {
  it("creates a generic webhook with the seed's default flags and answers 201 with its Location", async () => {
    const user = await makeUser(app);
    const res = await call(create, "POST", path, {
      token: user.token,
      body: { name: "Ops alerts", url: SLACK_URL, webhook_type: "generic" },
    });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(res.headers.get("location")).toBe(`/api/alerts/webhooks/${id}`);
    expect(res.body).toEqual({
      id,
      name: "Ops alerts",
      url: "https://hooks.slack.com/services/…",
      webhook_type: "generic",
      has_secret: false,
      alert_job_started: false,
      alert_job_completed: true,
      alert_job_failed: true,
      alert_job_cancelled: false,
      alert_gpu_oom: true,
      alert_disk_warning: true,
      alert_timeout_warning: true,
      alert_loss_diverged: true,
      // Second-round types default on (DESIGN.md §6).
      alert_group_completed: true,
      enabled: true,
      disabled_reason: null,
      last_success_at: null,
      last_failure_at: null,
      last_status_code: null,
      last_error: null,
      failure_count: 0,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
  });

  it("stores the flags, type and enabled state a create names", async () => {
    const user = await makeUser(app);
    const created = await createWebhook(user, {
      name: "  Discord bot  ",
      url: DISCORD_URL,
      webhook_type: "discord",
      alert_job_started: true,
      alert_gpu_oom: false,
      enabled: false,
    });
    expect(created).toMatchObject({
      name: "Discord bot",
      webhook_type: "discord",
      alert_job_started: true,
      alert_job_completed: true,
      alert_gpu_oom: false,
      enabled: false,
    });
  });

  it.each([
    [SLACK_URL, "https://hooks.slack.com/services/…"],
    [DISCORD_URL, "https://discord.com/api/…"],
    ["https://example.com:8443/hooks/abc?token=s3cret", "https://example.com:8443/hooks/…"],
    ["https://example.com/hook?token=s3cret", "https://example.com/hook/…"],
    // A long first segment may itself be a token, so only its start shows.
    ["https://example.com/0123456789abcdef0123456789", "https://example.com/0123…/…"],
    ["https://example.com/hook", "https://example.com/hook"],
    ["https://example.com", "https://example.com/"],
  ])("shows %s only as %s: scheme, host and the first path segment", async (url, masked) => {
    const user = await makeUser(app);
    const created = await createWebhook(user, { url, webhook_type: "generic" });
    expect(created.url).toBe(masked);
    const read = await item(getOne, "GET", user, created.id as string);
    expect(read.body.url).toBe(masked);
  });

  it("never answers with the URL's full path, in any route", async () => {
    const user = await makeUser(app);
    const created = await createWebhook(user, { url: DISCORD_URL });
    const id = created.id as string;
    const answers = [
      created,
      (await item(getOne, "GET", user, id)).body,
      (await call(list, "GET", path, { token: user.token })).body,
      (await item(patchOne, "PATCH", user, id, { name: "Renamed" })).body,
      (await item(putOne, "PUT", user, id, { name: "Replaced", url: DISCORD_URL })).body,
    ];
    for (const answer of answers) {
      const text = JSON.stringify(answer);
      expect(text).not.toContain("discordPathToken");
      expect(text).not.toContain("123456789012345678");
    }
  });

  it('generates a whsec_ secret for "secret": "generate" and shows it in that answer only', async () => {
    const user = await makeUser(app);
    const created = await createWebhook(user, { secret: "generate" });
    expect(created.has_secret).toBe(true);
    const secret = created.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(32);

    const id = created.id as string;
    const read = await item(getOne, "GET", user, id);
    expect(read.body).not.toHaveProperty("secret");
    expect(read.body.has_secret).toBe(true);
    const listed = await call<{ items: Body[] }>(list, "GET", path, { token: user.token });
    expect(listed.body.items[0]).not.toHaveProperty("secret");
    expect(JSON.stringify(listed.body)).not.toContain(secret.slice(6));

    const other = await createWebhook(user, { secret: "generate" });
    expect(other.secret).not.toBe(secret);
  });

  it("accepts a Standard Webhooks secret and never returns it", async () => {
    const user = await makeUser(app);
    const secret = newSecret(24);
    const created = await createWebhook(user, { secret });
    expect(created.has_secret).toBe(true);
    expect(created).not.toHaveProperty("secret");
    expect(JSON.stringify(created)).not.toContain(secret.slice(6));
    const read = await item(getOne, "GET", user, created.id as string);
    expect(read.body).not.toHaveProperty("secret");
  });

  it("reports has_secret false for a webhook created without one or with null", async () => {
    const user = await makeUser(app);
    expect((await createWebhook(user)).has_secret).toBe(false);
    expect((await createWebhook(user, { secret: null })).has_secret).toBe(false);
  });

  it("lists only the caller's webhooks as { items }, oldest first", async () => {
    const user = await makeUser(app);
    expect(await listIds(user)).toEqual([]);
    const first = await createWebhook(user, { name: "first" });
    const second = await createWebhook(user, { name: "second" });
    const res = await call<{ items: Body[] }>(list, "GET", path, { token: user.token });
    expect(Object.keys(res.body)).toEqual(["items"]);
    expect(res.body.items).toEqual([first, second]);
  });

  it("reads one webhook by id exactly as it was created", async () => {
    const user = await makeUser(app);
    const created = await createWebhook(user, { webhook_type: "slack", secret: newSecret() });
    const res = await item(getOne, "GET", user, created.id as string);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(created);
  });
});

describe("webhooks API: change and delete", () => {
  it("PATCH changes only the fields it names", async () => {
    const user = await makeUser(app);
    const created = await createWebhook(user, {
      webhook_type: "slack",
      secret: newSecret(),
      alert_job_cancelled: true,
    });
    const id = created.id as string;
    const res = await item(patchOne, "PATCH", user, id, {
      enabled: false,
      alert_job_started: true,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...created,
      enabled: false,
      alert_job_started: true,
      updated_at: expect.any(String),
    });
    expect(res.body).not.toHaveProperty("secret");

    const moved = await item(patchOne, "PATCH", user, id, { url: "https://example.com/new/path" });
    expect(moved.body).toMatchObject({
      url: "https://example.com/new/…",
      webhook_type: "slack",
      has_secret: true,
      enabled: false,
      alert_job_cancelled: true,
    });
    const row = await storedRow(id);
    expect(decrypt(app.ctx.config.encryptionKeys, row?.url ?? "", URL_PURPOSE)).toBe(
      "https://example.com/new/path",
    );
    const read = await item(getOne, "GET", user, id);
    expect(read.body).toEqual(moved.body);
  });

  it("PATCH with an empty body changes nothing", async () => {
    const user = await makeUser(app);
    const created = await createWebhook(user);
    const res = await item(patchOne, "PATCH", user, created.id as string, {});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...created, updated_at: expect.any(String) });
  });

  it('PATCH with "secret": "generate" rotates the secret and shows the new one once', async () => {
    const user = await makeUser(app);
    const created = await createWebhook(user, { secret: "generate" });
    const id = created.id as string;
    const res = await item(patchOne, "PATCH", user, id, { secret: "generate" });
    expect(res.status).toBe(200);
    expect(res.body.secret).toMatch(/^whsec_/);
    expect(res.body.secret).not.toBe(created.secret);
    const row = await storedRow(id);
    expect(decrypt(app.ctx.config.encryptionKeys, row?.secret ?? "", SECRET_PURPOSE)).toBe(
      res.body.secret,
    );
    expect((await item(getOne, "GET", user, id)).body).not.toHaveProperty("secret");
  });

  it("PUT replaces the webhook: omitted fields take their defaults and an omitted secret is kept", async () => {
    const user = await makeUser(app);
    const secret = newSecret();
    const created = await createWebhook(user, {
      name: "Before",
      webhook_type: "slack",
      secret,
      alert_job_started: true,
      alert_gpu_oom: false,
      enabled: false,
    });
    const id = created.id as string;
    const res = await item(putOne, "PUT", user, id, {
      name: "After",
      url: "https://example.com/replaced/hook",
      webhook_type: "generic",
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...created,
      name: "After",
      url: "https://example.com/replaced/…",
      webhook_type: "generic",
      has_secret: true,
      alert_job_started: false,
      alert_gpu_oom: true,
      enabled: true,
      updated_at: expect.any(String),
    });
    expect(res.body).not.toHaveProperty("secret");
    const row = await storedRow(id);
    expect(decrypt(app.ctx.config.encryptionKeys, row?.secret ?? "", SECRET_PURPOSE)).toBe(secret);
  });

  it("PUT with secret null removes the secret", async () => {
    const user = await makeUser(app);
    const created = await createWebhook(user, { secret: newSecret() });
    const id = created.id as string;
    const res = await item(putOne, "PUT", user, id, {
      name: "No secret",
      url: SLACK_URL,
      secret: null,
    });
    expect(res.status).toBe(200);
    expect(res.body.has_secret).toBe(false);
    expect((await storedRow(id))?.secret).toBeNull();
    expect((await item(getOne, "GET", user, id)).body.has_secret).toBe(false);
  });

  it("starts a disabled webhook's health afresh when it is re-enabled or given a new URL", async () => {
    const user = await makeUser(app);
    const created = await createWebhook(user);
    const id = created.id as string;
    const disable = () =>
      app.ctx.db.query(
        `update user_webhooks set enabled = false, failure_count = 10,
           disabled_reason = 'gone', disabled_at = now() where id = $1`,
        [id],
      );
    await disable();
    const renamed = await item(patchOne, "PATCH", user, id, { name: "Renamed" });
    expect(renamed.body).toMatchObject({
      enabled: false,
      failure_count: 10,
      disabled_reason: "gone",
    });

    const enabled = await item(patchOne, "PATCH", user, id, { enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true, failure_count: 0, disabled_reason: null });

    await disable();
    const moved = await item(patchOne, "PATCH", user, id, { url: "https://example.com/other/x" });
    expect(moved.body).toMatchObject({ enabled: false, failure_count: 0, disabled_reason: null });
  });

  it("PUT needs name and url, like a create", async () => {
    const user = await makeUser(app);
    const created = await createWebhook(user);
    const id = created.id as string;
    expectFieldError(await item(putOne, "PUT", user, id, { name: "Only a name" }), "url");
    expectFieldError(await item(putOne, "PUT", user, id, { url: SLACK_URL }), "name");
    expect((await item(getOne, "GET", user, id)).body).toEqual(created);
  });

  it("DELETE answers 204, after which the webhook is 404 and gone from the list", async () => {
    const user = await makeUser(app);
    const kept = await createWebhook(user, { name: "kept" });
    const doomed = await createWebhook(user, { name: "doomed" });
    const id = doomed.id as string;
    const res = await call(deleteOne, "DELETE", `${path}/${id}`, {
      token: user.token,
      params: { id },
    });
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    const read = await item(getOne, "GET", user, id);
    expect(read.status).toBe(404);
    expect(read.headers.get("content-type")).toBe("application/problem+json");
    expect(read.body).toMatchObject({ status: 404, type: "/problems/not-found" });
    expect((await item(deleteOne, "DELETE", user, id)).status).toBe(404);
    expect(await listIds(user)).toEqual([kept.id]);
    expect(await storedRow(id)).toBeUndefined();
  });

  it("deletes both of two webhooks that received the same alert, and history keeps their deliveries and names", async () => {
    const user = await makeUser(app);
    const a = (await createWebhook(user, { name: "Slack #ml" })).id as string;
    const b = (await createWebhook(user, { name: "Discord ops", url: DISCORD_URL })).id as string;
    const { rows } = await app.ctx.db.query<{ id: string }>(
      `insert into alert_history (user_id, alert_type, title, message, status)
       values ($1, 'job_failed', 'Job failed', 'It failed', 'sent') returning id`,
      [user.id],
    );
    const alertId = rows[0]?.id as string;
    await app.ctx.db.query(
      `insert into alert_deliveries (alert_id, user_id, channel, webhook_id, status, created_at)
       values ($1, $2, 'email', null, 'delivered', '2026-03-01T12:00:00Z'),
              ($1, $2, 'webhook', $3, 'delivered', '2026-03-01T12:00:01Z'),
              ($1, $2, 'webhook', $4, 'failed', '2026-03-01T12:00:02Z')`,
      [alertId, user.id, a, b],
    );
    expect((await item(deleteOne, "DELETE", user, a)).status).toBe(204);
    expect((await item(deleteOne, "DELETE", user, b)).status).toBe(204);
    expect(await listIds(user)).toEqual([]);

    const res = await call<{ items: { id: string; deliveries: Body[] }[] }>(
      history,
      "GET",
      "/api/alerts/history",
      { token: user.token },
    );
    expect(res.status).toBe(200);
    expect(res.body.items.map((i) => i.id)).toEqual([alertId]);
    const kept = res.body.items[0]?.deliveries.map(
      ({ channel, webhook_id, webhook_name, status }) => ({
        channel,
        webhook_id,
        webhook_name,
        status,
      }),
    );
    expect(kept).toEqual([
      { channel: "email", webhook_id: null, webhook_name: null, status: "delivered" },
      { channel: "webhook", webhook_id: null, webhook_name: "Slack #ml", status: "delivered" },
      { channel: "webhook", webhook_id: null, webhook_name: "Discord ops", status: "failed" },
    ]);
  });

  it.each([
    "not-a-uuid",
    "123",
    "3f2b8c1e-4d5a-4b6c-9d7e-1a2b3c4d5e6",
    "3f2b8c1e-4d5a-4b6c-9d7e-1a2b3c4d5e6fa",
    "' or 1=1 --",
    "",
  ])("answers 404 for the malformed id %j on every method", async (id) => {
    const user = await makeUser(app);
    await createWebhook(user);
    const body = { name: "x", url: SLACK_URL };
    for (const [handler, method] of [
      [getOne, "GET"],
      [patchOne, "PATCH"],
      [putOne, "PUT"],
      [deleteOne, "DELETE"],
    ] as const) {
      const res = await item(
        handler,
        method,
        user,
        id,
        method === "PATCH" || method === "PUT" ? body : undefined,
      );
      expect(res.status, `${method} ${id}`).toBe(404);
      expect(res.body.type).toBe("/problems/not-found");
    }
    expect(await listIds(user)).toHaveLength(1);
  });

  it("answers 404 for a well-formed id that names no webhook", async () => {
    const user = await makeUser(app);
    const id = "3f2b8c1e-4d5a-4b6c-9d7e-1a2b3c4d5e6f";
    expect((await item(getOne, "GET", user, id)).status).toBe(404);
    expect((await item(patchOne, "PATCH", user, id, { enabled: false })).status).toBe(404);
    expect((await item(putOne, "PUT", user, id, { name: "x", url: SLACK_URL })).status).toBe(404);
    expect((await item(deleteOne, "DELETE", user, id)).status).toBe(404);
  });
});

describe("webhooks API: another user's webhook", () => {
  it("is 404 to every method and stays unchanged", async () => {
    const owner = await makeUser(app);
    const intruder = await makeUser(app);
    const own = await createWebhook(intruder, { name: "intruder's own" });
    const created = await createWebhook(owner, { secret: newSecret(), webhook_type: "slack" });
    const id = created.id as string;
    const before = await storedRow(id);

    const attempts = [
      await item(getOne, "GET", intruder, id),
      await item(patchOne, "PATCH", intruder, id, {
        enabled: false,
        url: "https://evil.example/x/y",
      }),
      await item(putOne, "PUT", intruder, id, { name: "taken", url: "https://evil.example/x/y" }),
      await item(patchOne, "PATCH", intruder, id, { secret: "generate" }),
      await item(deleteOne, "DELETE", intruder, id),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ status: 404, type: "/problems/not-found" });
      expect(JSON.stringify(res.body)).not.toContain("hooks.slack.com");
    }

    expect(await listIds(intruder)).toEqual([own.id]);
    expect((await item(getOne, "GET", owner, id)).body).toEqual(created);
    expect(await storedRow(id)).toEqual(before);
    expect(await listIds(owner)).toEqual([id]);
  });
});

describe("webhooks API: validation", () => {
  const longUrl = (length: number) => {
    const base = "https://example.com/";
    return base + "a".repeat(length - base.length);
  };

  it.each([
    ["http://example.com/hook", "plain http"],
    ["ftp://example.com/hook", "another scheme"],
    ["javascript:alert(1)", "a script URL"],
    ["example.com/hook", "a relative URL"],
    ["not a url", "text"],
    ["", "an empty string"],
    ["https://example.com/a b", "a space"],
    ["https://example.com/a\nb", "a line break"],
    [longUrl(2049), "2049 characters"],
    ["https://good.com@127.0.0.1/", "userinfo that hides the real host"],
    ["https://user:pass@example.com/hook", "a user name and password"],
    ["https://127.0.0.1/x", "loopback"],
    ["https://127.1/x", "short loopback"],
    ["https://localhost/x", "localhost"],
    ["https://10.0.0.5/hook", "a private address"],
    ["https://192.168.1.1/hook", "a private address"],
    ["https://100.64.0.1/", "CGNAT"],
    ["https://0.0.0.0/", "the unspecified address"],
    ["https://169.254.169.254/", "cloud metadata"],
    ["https://[::1]/", "IPv6 loopback"],
    ["https://[fd00::1]/", "IPv6 unique local"],
    ["https://[fe80::1]/", "IPv6 link-local"],
    ["https://[::ffff:10.0.0.1]/", "an IPv4-mapped private address"],
    ["https://[::ffff:169.254.169.254]/", "IPv4-mapped metadata"],
    ["https://[64:ff9b::7f00:1]/", "NAT64 loopback"],
    ["https://2130706433/", "decimal loopback"],
    ["https://0x7f.0.0.1/", "hex loopback"],
    ["https://0177.0.0.1/", "octal loopback"],
    ["https://224.0.0.1/", "multicast"],
    [42, "a number"],
    [null, "null"],
  ] as [unknown, string][])(
    "rejects the url %j (%s) with a 422 on url and creates nothing",
    async (url) => {
      const user = await makeUser(app);
      const res = await call(create, "POST", path, {
        token: user.token,
        body: { name: "Hook", url },
      });
      expectFieldError(res, "url");
      expect(await listIds(user)).toEqual([]);
    },
  );

  it("accepts a url of exactly 2048 characters", async () => {
    const user = await makeUser(app);
    const created = await createWebhook(user, { url: longUrl(2048), webhook_type: "generic" });
    expect(created.url).toBe("https://example.com/aaaa…/…");
  });

  it("rejects a private url on PATCH and PUT and keeps the old one", async () => {
    const user = await makeUser(app);
    const created = await createWebhook(user);
    const id = created.id as string;
    const before = await storedRow(id);
    expectFieldError(
      await item(patchOne, "PATCH", user, id, { url: "https://169.254.169.254/latest/meta-data" }),
      "url",
    );
    expectFieldError(
      await item(putOne, "PUT", user, id, { name: "x", url: "https://[::1]/hook" }),
      "url",
    );
    expect(await storedRow(id)).toEqual(before);
    expect((await item(getOne, "GET", user, id)).body).toEqual(created);
  });

  it.each([
    ["webhook_type", "msteams"],
    ["webhook_type", "SLACK"],
    ["webhook_type", null],
    ["name", ""],
    ["name", "   "],
    ["name", "Ops\nAlerts"],
    ["name", "Ops\u0007"],
    ["name", "x".repeat(101)],
    ["name", 7],
    ["secret", "hunter2"],
    ["secret", "whsec_short"],
    ["secret", "Generate"],
    ["secret", `whsec_${randomBytes(16).toString("base64")}`],
    ["secret", `whsec_${randomBytes(80).toString("base64")}`],
    ["secret", `whsec_${randomBytes(66).toString("base64")}`],
    ["secret", `whsec_${randomBytes(32).toString("base64")}!`],
    ["secret", 123],
    ["enabled", "yes"],
    ["alert_gpu_oom", null],
    ["alert_job_failed", 1],
  ])("rejects %s = %j with a 422 naming the field", async (field, value) => {
    const user = await makeUser(app);
    const res = await call(create, "POST", path, {
      token: user.token,
      body: { name: "Hook", url: SLACK_URL, [field]: value },
    });
    expectFieldError(res, field);
    expect(await listIds(user)).toEqual([]);
  });

  it("rejects a body without name or url, naming both", async () => {
    const user = await makeUser(app);
    const res = await call(create, "POST", path, { token: user.token, body: {} });
    expectFieldError(res, "name");
    expectFieldError(res, "url");
  });

  it("rejects unknown fields with a hint at the intended one", async () => {
    const user = await makeUser(app);
    const res = await call(create, "POST", path, {
      token: user.token,
      body: { name: "Hook", url: SLACK_URL, secrets: "generate", user_id: user.id },
    });
    expect(res.status).toBe(422);
    const errors = res.body.errors as { path: string; message: string }[];
    expect(errors.map((e) => e.path).sort()).toEqual(["secrets", "user_id"]);
    expect(errors.find((e) => e.path === "secrets")?.message).toContain('did you mean "secret"');
    expect(await listIds(user)).toEqual([]);
  });

  it("rejects unknown fields on PATCH too and changes nothing", async () => {
    const user = await makeUser(app);
    const created = await createWebhook(user);
    const id = created.id as string;
    const res = await item(patchOne, "PATCH", user, id, { enabled: false, failure_count: 0 });
    expectFieldError(res, "failure_count");
    expect((await item(getOne, "GET", user, id)).body).toEqual(created);
  });

  it("answers malformed JSON with 400", async () => {
    const user = await makeUser(app);
    const res = await call(create, "POST", path, { token: user.token, rawBody: '{"name": "x",' });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe("/problems/malformed-json");
  });
});

describe("webhooks API: at most 20 per user", () => {
  it("refuses the 21st webhook with a 422 that says at most 20, and allows one again after a delete", async () => {
    const user = await makeUser(app);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++)
      ids.push((await createWebhook(user, { name: `hook ${i}` })).id as string);
    const res = await call(create, "POST", path, {
      token: user.token,
      body: { name: "one too many", url: SLACK_URL },
    });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/20 webhooks/);
    expect(res.body.errors).toEqual([
      { path: expect.any(String), message: expect.stringMatching(/at most 20/) },
    ]);
    expect(await listIds(user)).toEqual(ids);

    const other = await makeUser(app);
    await createWebhook(other);

    const first = ids[0] ?? "";
    expect((await item(deleteOne, "DELETE", user, first)).status).toBe(204);
    await createWebhook(user, { name: "replacement" });
    expect(await listIds(user)).toHaveLength(20);
  });

  it("holds the cap when creates race", async () => {
    const user = await makeUser(app);
    // The first request provisions the user; the race is about the webhooks.
    await listIds(user);
    const results = await Promise.all(
      Array.from({ length: 26 }, (_, i) =>
        call(create, "POST", path, {
          token: user.token,
          body: { name: `racer ${i}`, url: SLACK_URL },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    expect(statuses.filter((s) => s === 422)).toHaveLength(6);
    expect(await listIds(user)).toHaveLength(20);
  });
});

describe("webhooks API: storage", () => {
  it("stores the URL and secret encrypted, each bound to its column", async () => {
    const user = await makeUser(app);
    const secret = newSecret();
    const created = await createWebhook(user, { url: DISCORD_URL, secret });
    const row = await storedRow(created.id as string);
    if (!row?.secret) throw new Error("the webhook row or its secret is missing");

    expect(row.url).toMatch(/^enc:v1:/);
    expect(row.url).not.toContain("discordPathToken");
    expect(row.url).not.toContain("discord.com");
    expect(row.secret).toMatch(/^enc:v1:/);
    expect(row.secret).not.toContain(secret.slice(6));
    expect(row.url_masked).toBe("https://discord.com/api/…");

    const keys = app.ctx.config.encryptionKeys;
    expect(decrypt(keys, row.url, URL_PURPOSE)).toBe(DISCORD_URL);
    expect(decrypt(keys, row.secret, SECRET_PURPOSE)).toBe(secret);
    // The purpose is bound as associated data: a secret cannot pass for a URL.
    expect(() => decrypt(keys, row.secret ?? "", URL_PURPOSE)).toThrow();
    expect(() => decrypt(keys, row.url, SECRET_PURPOSE)).toThrow();
  });

  it("stores a generated secret encrypted, decrypting to the one shown", async () => {
    const user = await makeUser(app);
    const created = await createWebhook(user, { secret: "generate" });
    const row = await storedRow(created.id as string);
    expect(row?.secret).toMatch(/^enc:v1:/);
    expect(row?.secret).not.toContain((created.secret as string).slice(6));
    expect(decrypt(app.ctx.config.encryptionKeys, row?.secret ?? "", SECRET_PURPOSE)).toBe(
      created.secret,
    );
  });

  it("encrypts the same URL differently each time", async () => {
    const user = await makeUser(app);
    const a = await storedRow((await createWebhook(user)).id as string);
    const b = await storedRow((await createWebhook(user)).id as string);
    expect(a?.url).not.toBe(b?.url);
  });
});

describe("webhooks API with ALERTS_WEBHOOK_ALLOW_HTTP and ALERTS_WEBHOOK_ALLOWED_CIDRS", () => {
  let lenient: TestApp;
  beforeAll(async () => {
    lenient = await startTestApp({
      ALERTS_WEBHOOK_ALLOW_HTTP: "true",
      ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.0/8",
    });
  });
  afterAll(async () => {
    await lenient.close();
    // Give the file's main app back its place as the process's context.
    setContext(app.ctx);
  });

  it("accepts http:// URLs", async () => {
    const user = await makeUser(lenient);
    const res = await call(create, "POST", path, {
      token: user.token,
      body: { name: "Plain", url: "http://example.com/hooks/plain-token", webhook_type: "generic" },
    });
    expect(res.status).toBe(201);
    expect(res.body.url).toBe("http://example.com/hooks/…");
  });

  it("accepts addresses in the allowed CIDRs and still blocks the others", async () => {
    const user = await makeUser(lenient);
    const allowed = await call(create, "POST", path, {
      token: user.token,
      body: {
        name: "Local receiver",
        url: "http://127.0.0.1:8080/receiver/x",
        webhook_type: "generic",
      },
    });
    expect(allowed.status).toBe(201);
    expect(allowed.body.url).toBe("http://127.0.0.1:8080/receiver/…");
    for (const url of ["http://10.0.0.1/x", "https://169.254.169.254/", "ftp://example.com/x"]) {
      const res = await call(create, "POST", path, {
        token: user.token,
        body: { name: "Blocked", url },
      });
      expectFieldError(res, "url");
    }
  });
});

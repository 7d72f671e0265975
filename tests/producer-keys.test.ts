import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { DELETE as deleteKey } from "@/app/api/alerts/keys/[id]/route";
import { POST as createKey, GET as listKeys } from "@/app/api/alerts/keys/route";
import { POST as logs } from "@/app/api/training/jobs/[id]/logs/route";
import { POST as progress } from "@/app/api/training/jobs/[id]/progress/route";
import { PUT as putJob } from "@/app/api/training/jobs/[id]/route";
import { withUser } from "@/lib/db/with-user";
import { buildOpenApiDocument } from "@/lib/http/openapi";
import { hashProducerKey, MAX_PRODUCER_KEYS_PER_USER } from "@/lib/http/producer-keys";
import {
  call,
  makeUser,
  SERVICE_KEY,
  startTestApp,
  type TestApp,
  type TestUser,
} from "./helpers/app";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

async function newKey(user: TestUser, name = "training box") {
  const res = await call<{ id: string; name: string; key: string; created_at: string }>(
    createKey,
    "POST",
    "/api/alerts/keys",
    { token: user.token, body: { name } },
  );
  expect(res.status).toBe(201);
  return res.body;
}

const job = (token: string, id: string, body: Record<string, unknown>) =>
  call(putJob, "PUT", `/api/training/jobs/${id}`, { token, body, params: { id } });
const event = (token: string, body: Record<string, unknown>) =>
  call(postEvent, "POST", "/api/alerts/events", { token, body });

describe("personal producer keys", () => {
  it("keep each user's idempotency keys and event ids apart: another tenant's never makes an event a duplicate", async () => {
    const [a, b] = [await makeUser(app), await makeUser(app)];
    const [keyA, keyB] = [(await newKey(a)).key, (await newKey(b)).key];
    const send = (token: string, body: Record<string, unknown>) =>
      call<{ event_id: string; duplicate: boolean }>(postEvent, "POST", "/api/alerts/events", {
        token,
        body,
        headers: { "idempotency-key": "epoch-3-done" },
      });
    const body = (jobId: string) => ({ type: "job_completed", job_id: jobId, data: {} });
    const [jobA, jobB] = [randomUUID(), randomUUID()];
    const first = await send(keyA, body(jobA));
    const other = await send(keyB, body(jobB));
    const again = await send(keyA, body(jobA));
    expect([first.status, other.status, again.status]).toEqual([202, 202, 202]);
    expect(other.body.duplicate).toBe(false);
    expect(other.body.event_id).not.toBe(first.body.event_id);
    expect(again.body).toEqual({ event_id: first.body.event_id, duplicate: true });
    // An event_id that is another user's event is a conflict, not that event's repeat.
    const stolen = await event(keyB, { ...body(jobB), event_id: first.body.event_id });
    expect(stolen.status).toBe(409);
    expect(JSON.stringify(stolen.body)).not.toContain(a.id);
    const { rows } = await app.ctx.db.query<{ user_id: string }>(
      "select user_id from alert_events where id = any($1::uuid[]) order by user_id",
      [[first.body.event_id, other.body.event_id]],
    );
    expect(rows.map((r) => r.user_id).sort()).toEqual([a.id, b.id].sort());
  });

  it("are created as tak_ + 32 random bytes, shown once, and listed without the key", async () => {
    const user = await makeUser(app);
    const created = await newKey(user, "gpu-box-1");
    expect(created.key).toMatch(/^tak_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.key.slice(4), "base64url")).toHaveLength(32);
    const list = await call<{ items: Record<string, unknown>[] }>(
      listKeys,
      "GET",
      "/api/alerts/keys",
      { token: user.token },
    );
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      {
        id: created.id,
        name: "gpu-box-1",
        prefix: created.key.slice(0, 12),
        created_at: created.created_at,
        last_used_at: null,
      },
    ]);
    expect(JSON.stringify(list.body)).not.toContain(created.key);
  });

  it("is stored only as its SHA-256, never in clear", async () => {
    const user = await makeUser(app);
    const { key, id } = await newKey(user);
    const { rows } = await app.ctx.db.query<Record<string, unknown>>(
      "select * from producer_keys where id = $1",
      [id],
    );
    const row = rows[0] ?? {};
    for (const value of Object.values(row)) {
      const text = Buffer.isBuffer(value) || value instanceof Uint8Array ? "" : String(value);
      expect(text).not.toContain(key.slice(4));
    }
    expect(Buffer.from(row.key_hash as Uint8Array).equals(hashProducerKey(key))).toBe(true);
    const anywhere = await app.ctx.db.query<{ n: number }>(
      `select count(*)::int as n from producer_keys p
       where row_to_json(p)::text like '%' || $1 || '%'`,
      [key.slice(4)],
    );
    expect(anywhere.rows[0]?.n).toBe(0);
  });

  it("posts an event for its owner (202), user_id omitted or the owner's own", async () => {
    const user = await makeUser(app);
    const { key } = await newKey(user);
    const jobId = randomUUID();
    const omitted = await event(key, { type: "job_started", job_id: jobId });
    expect(omitted.status).toBe(202);
    const own = await event(key, { type: "job_failed", job_id: jobId, user_id: user.id });
    expect(own.status).toBe(202);
    const { rows } = await app.ctx.db.query<{ user_id: string; type: string }>(
      "select user_id, type from alert_events where job_id = $1 order by type",
      [jobId],
    );
    expect(rows).toEqual([
      { user_id: user.id, type: "job_failed" },
      { user_id: user.id, type: "job_started" },
    ]);
  });

  it("is 403 for another user's user_id, and writes nothing", async () => {
    const owner = await makeUser(app);
    const other = await makeUser(app);
    const { key } = await newKey(owner);
    const jobId = randomUUID();
    const res = await event(key, { type: "job_failed", user_id: other.id, job_id: jobId });
    expect(res.status).toBe(403);
    expect(res.body.errors).toEqual([{ path: "user_id", message: "is another user's id" }]);
    const created = await job(key, randomUUID(), { user_id: other.id, status: "running" });
    expect(created.status).toBe(403);
    const { rows } = await app.ctx.db.query("select 1 from alert_events where job_id = $1", [
      jobId,
    ]);
    expect(rows).toHaveLength(0);
  });

  it("creates jobs that belong to its owner, and answers 404 for another user's job", async () => {
    const owner = await makeUser(app);
    const other = await makeUser(app);
    const { key } = await newKey(owner);
    const mine = randomUUID();
    const created = await job(key, mine, { status: "running", model_name: "llama" });
    expect(created.status).toBe(201);
    expect(created.body.user_id).toBe(owner.id);

    const theirs = randomUUID();
    expect((await job(SERVICE_KEY, theirs, { user_id: other.id, status: "running" })).status).toBe(
      201,
    );
    const attempts = [
      await job(key, theirs, { status: "failed", error: "not yours" }),
      await call(progress, "POST", `/api/training/jobs/${theirs}/progress`, {
        token: key,
        body: { current_step: 5 },
        params: { id: theirs },
      }),
      await call(logs, "POST", `/api/training/jobs/${theirs}/logs`, {
        token: key,
        body: { lines: ["torch.OutOfMemoryError: CUDA out of memory."] },
        params: { id: theirs },
      }),
      await event(key, { type: "job_failed", job_id: theirs }),
    ];
    expect(attempts.map((r) => r.status)).toEqual([404, 404, 404, 404]);
    const { rows } = await app.ctx.db.query<{ status: string; current_step: number | null }>(
      "select status, current_step from training_jobs where id = $1",
      [theirs],
    );
    expect(rows).toEqual([{ status: "running", current_step: null }]);
  });

  it("is 401 once revoked, and revoking another user's key is 404", async () => {
    const user = await makeUser(app);
    const other = await makeUser(app);
    const { key, id } = await newKey(user);
    expect((await event(key, { type: "job_started", job_id: randomUUID() })).status).toBe(202);
    const foreign = await call(deleteKey, "DELETE", `/api/alerts/keys/${id}`, {
      token: other.token,
      params: { id },
    });
    expect(foreign.status).toBe(404);
    const revoked = await call(deleteKey, "DELETE", `/api/alerts/keys/${id}`, {
      token: user.token,
      params: { id },
    });
    expect(revoked.status).toBe(204);
    const after = await event(key, { type: "job_started", job_id: randomUUID() });
    expect(after.status).toBe(401);
    expect(String(after.body.detail)).toContain("revoked");
  });

  it("cannot act as a user, and a user token cannot act as a producer", async () => {
    const user = await makeUser(app);
    const { key } = await newKey(user);
    expect((await call(listKeys, "GET", "/api/alerts/keys", { token: key })).status).toBe(403);
    expect((await event(user.token, { type: "job_started", job_id: randomUUID() })).status).toBe(
      403,
    );
    const fake = `tak_${"A".repeat(43)}`;
    expect((await event(fake, { type: "job_started", job_id: randomUUID() })).status).toBe(401);
  });

  it("updates last_used_at at most once a minute", async () => {
    const user = await makeUser(app);
    const { key, id } = await newKey(user);
    const T0 = new Date("2026-03-05T08:00:00Z");
    const usedAt = async () =>
      (
        await app.ctx.db.query<{ last_used_at: Date | null }>(
          "select last_used_at from producer_keys where id = $1",
          [id],
        )
      ).rows[0]?.last_used_at?.toISOString();
    const use = async (at: Date) => {
      app.setNow(at);
      expect((await event(key, { type: "job_started", job_id: randomUUID() })).status).toBe(202);
    };
    await use(T0);
    expect(await usedAt()).toBe(T0.toISOString());
    await use(new Date(T0.getTime() + 30_000));
    await use(new Date(T0.getTime() + 59_000));
    expect(await usedAt()).toBe(T0.toISOString());
    await use(new Date(T0.getTime() + 60_000));
    expect(await usedAt()).toBe(new Date(T0.getTime() + 60_000).toISOString());
  });

  it("has its own rate-limit bucket per key", async () => {
    const limited = await startTestApp({ ALERTS_API_RATE_LIMIT_PER_MINUTE: "2" });
    try {
      const user = await makeUser(limited);
      const mk = async () =>
        (
          await call<{ key: string }>(createKey, "POST", "/api/alerts/keys", {
            token: user.token,
            body: { name: "k" },
          })
        ).body.key;
      const a = await mk();
      const b = await mk();
      const send = (k: string) => event(k, { type: "job_started", job_id: randomUUID() });
      expect([(await send(a)).status, (await send(a)).status, (await send(a)).status]).toEqual([
        202, 202, 429,
      ]);
      const third = await send(a);
      expect(third.status).toBe(429);
      expect(String(third.body.detail)).toContain("this producer key");
      expect((await send(b)).status).toBe(202);
    } finally {
      await limited.close();
      // startTestApp installed the limited app's context; put ours back.
      app = await restoreContext(app);
    }
  });

  it(`allows at most ${MAX_PRODUCER_KEYS_PER_USER} keys per user (422 after)`, async () => {
    const user = await makeUser(app);
    for (let i = 0; i < MAX_PRODUCER_KEYS_PER_USER; i++) await newKey(user, `key ${i}`);
    const over = await call(createKey, "POST", "/api/alerts/keys", {
      token: user.token,
      body: { name: "one too many" },
    });
    expect(over.status).toBe(422);
    expect(String(over.body.detail)).toContain(`${MAX_PRODUCER_KEYS_PER_USER} API keys`);
  });

  it("lets a user read only their own keys' public columns in the database (RLS)", async () => {
    const a = await makeUser(app);
    const b = await makeUser(app);
    await newKey(a);
    const { id: idB } = await newKey(b);
    const seen = await withUser(app.ctx.db, a.id, async (tx) => {
      const ids = (await tx.query<{ id: string }>("select id from producer_keys")).rows;
      let hashRead = "allowed";
      await tx.query("savepoint s");
      try {
        await tx.query("select key_hash from producer_keys");
      } catch {
        hashRead = "refused";
      }
      await tx.query("rollback to savepoint s");
      let insert = "allowed";
      await tx.query("savepoint s2");
      try {
        await tx.query(
          "insert into producer_keys (user_id, name, prefix, key_hash) values ($1, 'x', 'tak_abcdefgh', $2)",
          [a.id, Buffer.alloc(32)],
        );
      } catch {
        insert = "refused";
      }
      await tx.query("rollback to savepoint s2");
      return { ids: ids.map((r) => r.id), hashRead, insert };
    });
    expect(seen.ids).not.toContain(idB);
    expect(seen.ids).toHaveLength(1);
    expect(seen.hashRead).toBe("refused");
    expect(seen.insert).toBe("refused");
  });
});

describe("the OpenAPI document", () => {
  it("documents the keys routes, producer keys on producer routes, and loss words", () => {
    const doc = buildOpenApiDocument("http://localhost:3000") as {
      paths: Record<string, Record<string, { security?: unknown; summary?: string }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/alerts/keys", "/api/alerts/keys/{id}"]),
    );
    expect(Object.keys(doc.paths["/api/alerts/keys"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(doc.components.securitySchemes.producerKey).toMatchObject({ scheme: "bearer" });
    expect(doc.paths["/api/alerts/events"]?.post?.security).toEqual([
      { serviceKey: [] },
      { producerKey: [] },
    ]);
    expect(doc.paths["/api/alerts/keys"]?.get?.security).toEqual([{ userToken: [] }]);
    expect(doc.paths["/api/training/jobs/{id}/progress"]?.post?.summary).toContain('"nan"');
    expect(JSON.stringify(doc.paths["/api/alerts/events"])).toContain("loss_diverged");
  });
});

async function restoreContext(current: TestApp): Promise<TestApp> {
  const { setContext } = await import("@/lib/server/context");
  setContext(current.ctx);
  return current;
}

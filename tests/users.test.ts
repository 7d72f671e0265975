import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getPreferences, PUT as putPreferences } from "@/app/api/alerts/preferences/route";
import { insertEventAndNotify } from "@/lib/alerts/sql/events";
import { migrate } from "@/lib/db/migrate";
import { ensureEventUser } from "@/lib/db/users";
import { call, makeUser, startTestApp, type TestApp } from "./helpers/app";
import { createTestDb, type TestDb } from "./helpers/db";

// Supabase's own auth.users (trimmed), recognised by its encrypted_password column.
const SUPABASE_AUTH = `
  do $$ begin
    if not exists (select 1 from pg_roles where rolname = 'authenticated') then create role authenticated nologin; end if;
  exception when duplicate_object or unique_violation then null; end $$;
  create schema auth;
  create table auth.users (id uuid primary key, email varchar(255) unique, encrypted_password varchar(255));
  create function auth.uid() returns uuid language sql stable as
    $f$ select nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $f$;
`;

const usersWith = async (db: TestDb["db"], id: string) =>
  (await db.query("select id from auth.users where id = $1", [id])).rows.length;

describe("a user first seen in an event", () => {
  let standalone: TestDb;
  beforeAll(async () => {
    standalone = await createTestDb();
  });
  afterAll(() => standalone.drop());

  it("gets an auth.users row on a standalone database, once", async () => {
    const id = randomUUID();
    expect(await ensureEventUser(standalone.db, id)).toBe(true);
    expect(await ensureEventUser(standalone.db, id)).toBe(true);
    expect(await usersWith(standalone.db, id)).toBe(1);
  });
});

describe("on a Supabase-shaped database", () => {
  let supabase: TestDb;
  beforeAll(async () => {
    supabase = await createTestDb({ migrate: false });
    await supabase.db.exec(SUPABASE_AUTH);
    await migrate(supabase.db);
  });
  afterAll(() => supabase.drop());

  it("reports an unknown user as absent and writes nothing to the auth schema", async () => {
    const id = randomUUID();
    expect(await ensureEventUser(supabase.db, id)).toBe(false);
    expect(await usersWith(supabase.db, id)).toBe(0);
  });

  it("stores no event for an id that is not a user, and says so", async () => {
    const id = randomUUID();
    const event = {
      id: randomUUID(),
      idempotencyKey: null,
      type: "job_started" as const,
      userId: id,
      jobId: null,
      occurredAt: new Date(),
      data: {},
      source: "api" as const,
      receivedAt: new Date(),
    };
    expect(await insertEventAndNotify(supabase.db, event, "users_test")).toEqual({
      id: event.id,
      duplicate: false,
      unknownUser: true,
    });
    expect(await usersWith(supabase.db, id)).toBe(0);
    const { rows } = await supabase.db.query("select 1 from alert_events where user_id = $1", [id]);
    expect(rows).toHaveLength(0);
  });

  it("finds a user Supabase already has", async () => {
    const id = randomUUID();
    await supabase.db.query("insert into auth.users (id, email) values ($1, 'a@example.com')", [
      id,
    ]);
    expect(await ensureEventUser(supabase.db, id)).toBe(true);
  });
});

describe("a user token on a Supabase-shaped database", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({}, { beforeMigrate: (db) => db.exec(SUPABASE_AUTH).then(() => {}) });
  });
  afterAll(() => app.close());

  const counts = async () =>
    (
      await app.ctx.db.query<{ users: number; prefs: number }>(
        `select (select count(*)::int from auth.users) as users,
                (select count(*)::int from user_alert_preferences) as prefs`,
      )
    ).rows[0];

  it("is 401 for a user Supabase does not have (deleted, token not expired), and writes nothing", async () => {
    const live = await makeUser(app, "live@example.com");
    await app.ctx.db.query(
      "insert into auth.users (id, email, encrypted_password) values ($1, $2, 'x')",
      [live.id, live.email],
    );
    // A deleted user's token may carry the email a live user has now: no 500.
    const ghost = await makeUser(app, "live@example.com");
    const before = await counts();
    for (const [handler, method] of [
      [getPreferences, "GET"],
      [putPreferences, "PUT"],
    ] as const) {
      const res = await call(handler, method, "/api/alerts/preferences", {
        token: ghost.token,
        body: method === "PUT" ? { email_enabled: false } : undefined,
      });
      expect(res.status, method).toBe(401);
      expect(res.body.detail).toMatch(/this account no longer exists/i);
    }
    expect(await counts()).toEqual(before);
    expect(await usersWith(app.ctx.db, ghost.id)).toBe(0);
  });

  it("is 401, not 500, for a user deleted after the service first saw them", async () => {
    const user = await makeUser(app);
    await app.ctx.db.query("insert into auth.users (id, email) values ($1, $2)", [
      user.id,
      user.email,
    ]);
    const prefs = () =>
      call(putPreferences, "PUT", "/api/alerts/preferences", {
        token: user.token,
        body: { email_enabled: false },
      });
    expect((await prefs()).status).toBe(200);
    // Deleted in Supabase's dashboard: the cascade removes the user's rows.
    await app.ctx.db.query("delete from auth.users where id = $1", [user.id]);
    for (let i = 0; i < 2; i++) {
      const res = await prefs();
      expect(res.status).toBe(401);
      expect(res.body.detail).toMatch(/this account no longer exists/i);
    }
    expect(await usersWith(app.ctx.db, user.id)).toBe(0);
  });

  it("serves a user Supabase has", async () => {
    const user = await makeUser(app);
    await app.ctx.db.query("insert into auth.users (id, email) values ($1, $2)", [
      user.id,
      user.email,
    ]);
    const res = await call(getPreferences, "GET", "/api/alerts/preferences", {
      token: user.token,
    });
    expect(res.status).toBe(200);
    expect(res.body.user_id).toBe(user.id);
  });
});

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, migrate, readMigrations } from "@/lib/db/migrate";
import { createPgDb } from "@/lib/db/pg";
import { API_ROLE } from "@/lib/db/with-user";
import { signUserToken } from "@/lib/http/tokens";
import { ENCRYPTION_KEY, JWT_SECRET, SERVICE_KEY } from "../helpers/app";
import { type NextServer, startNextServer } from "../helpers/next-server";
import { createPgCluster, listClusters, type PgCluster } from "../helpers/pg-cluster";
import { startReceiver } from "../helpers/receiver";
import { waitOn } from "../helpers/wait";

// The project on a database built the way Supabase builds one (issue 13):
// Supabase's roles, default privileges and GoTrue's auth schema
// (tests/fixtures/supabase-*.sql, written after supabase/postgres' public
// SQL), with `postgres` demoted to NOSUPERUSER, on a throwaway cluster whose
// bootstrap superuser is `supabase_admin`, as in Supabase's image. Two
// permission models: before Supabase's 2025 lockdown (`postgres` may still
// create in schema auth) and after it (it may not). The service runs as
// `next start` connected as that `postgres`; PostgREST is played the way it
// works: log in as `authenticator`, `set local role authenticated` and
// `request.jwt.claims` per request.

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures");
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), "utf8");

const VARIANTS = [
  { name: "before the 2025 lockdown", database: "supabase_2024", lockdown: false },
  { name: "after the 2025 lockdown", database: "supabase_2025", lockdown: true },
] as const;

let cluster: PgCluster | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

beforeAll(async () => {
  cluster = await createPgCluster({ superuser: "supabase_admin" });
  await withClient(cluster.adminUrl, async (c) => {
    await c.query(fixture("supabase-roles.sql"));
    for (const v of VARIANTS) await c.query(`create database ${v.database} owner postgres`);
  });
  for (const v of VARIANTS) {
    await withClient(urlOf("supabase_admin", v.database), async (c) => {
      await c.query(fixture("supabase-database.sql"));
      if (v.lockdown) await c.query(fixture("supabase-lockdown-2025.sql"));
    });
  }
  receiver = await startReceiver();
}, 180_000);

afterAll(async () => {
  await receiver?.close();
  await cluster?.drop();
  const left = (await listClusters()).filter((c) => c.name === cluster?.name);
  expect(left).toEqual([]);
}, 120_000);

function urlOf(role: string, database: string): string {
  if (!cluster) throw new Error("no cluster");
  return `postgres://${role}@127.0.0.1:${cluster.port}/${database}`;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

type Outcome = { rows: Record<string, unknown>[]; rowCount: number } | { code: string };

/** One request as PostgREST serves it: as `authenticator`, the JWT's role and claims for the transaction. */
async function asPostgrest(
  database: string,
  claims: { role: "anon" | "authenticated"; sub?: string },
  sql: string,
): Promise<Outcome> {
  return withClient(urlOf("authenticator", database), async (c) => {
    try {
      await c.query("begin");
      await c.query(`set local role ${claims.role}`);
      await c.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(claims)]);
      const { rows, rowCount } = await c.query(sql);
      await c.query("commit");
      return { rows, rowCount: rowCount ?? 0 };
    } catch (error) {
      await c.query("rollback");
      return { code: (error as { code: string }).code };
    }
  });
}

const denied = { code: "42501" };

/** What GoTrue made and owns in `auth`, with every privilege on it. */
const AUTH_SNAPSHOT = `
  select c.relname as name, c.relkind::text as kind, pg_get_userbyid(c.relowner) as owner,
         coalesce(c.relacl::text, '') as acl,
         (select count(*)::int from pg_attribute a where a.attrelid = c.oid and a.attnum > 0) as columns
  from pg_class c where c.relnamespace = 'auth'::regnamespace
  union all
  select p.oid::regprocedure::text, 'f', pg_get_userbyid(p.proowner), coalesce(p.proacl::text, ''),
         0 from pg_proc p where p.pronamespace = 'auth'::regnamespace
  union all
  select n.nspname, 'n', pg_get_userbyid(n.nspowner), coalesce(n.nspacl::text, ''), 0
  from pg_namespace n where n.nspname = 'auth'
  order by 1, 2`;

describe.each(VARIANTS)("on a Supabase-shaped database $name", (variant) => {
  const { database } = variant;
  const asPostgres = () => urlOf("postgres", database);
  const asAdmin = () => urlOf("supabase_admin", database);
  let web: NextServer | undefined;
  let authBefore: unknown[] = [];

  const env = () => ({
    DATABASE_URL: asPostgres(),
    SUPABASE_JWT_SECRET: JWT_SECRET,
    ALERTS_SERVICE_KEY: SERVICE_KEY,
    ALERTS_ENCRYPTION_KEY: ENCRYPTION_KEY,
    ALERTS_REQUIRE_CONFIG: "true",
    ALERTS_WORKER: "inline",
    // The worker's "delivery batch" line, printed once a batch's outcomes are recorded.
    LOG_LEVEL: "info",
  });

  /** A user as GoTrue signs one up: a row in auth.users, written by Supabase, and their token. */
  async function signUp(email = `u-${randomUUID().slice(0, 8)}@example.com`) {
    const id = randomUUID();
    await withClient(asAdmin(), (c) =>
      c.query(
        `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, created_at, updated_at)
         values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2,
                 '$2a$10$abcdefghijklmnopqrstuv', now(), now())`,
        [id, email],
      ),
    );
    return { id, email, token: await signUserToken(JWT_SECRET, { sub: id, email }) };
  }

  async function api(
    token: string,
    method: string,
    route: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    if (!web) throw new Error("the server is not running");
    const res = await fetch(`${web.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  }

  beforeAll(async () => {
    authBefore = await withClient(asAdmin(), async (c) => (await c.query(AUTH_SNAPSHOT)).rows);
  });
  afterAll(async () => {
    await web?.stop();
  }, 60_000);

  it("has postgres demoted: no superuser, and after the lockdown no CREATE on schema auth", async () => {
    const { rows } = await withClient(asPostgres(), (c) =>
      c.query<{ superuser: boolean; create_on_auth: boolean }>(
        `select (select rolsuper from pg_roles where rolname = current_user) as superuser,
                has_schema_privilege('auth', 'CREATE') as create_on_auth`,
      ),
    );
    expect(rows[0]).toEqual({ superuser: false, create_on_auth: !variant.lockdown });
  });

  it("migrates and serves when started as that postgres (next start)", async () => {
    web = await startNextServer(env());
    const health = await fetch(`${web.url}/api/health`);
    expect(health.status).toBe(200);
    const { rows } = await withClient(asPostgres(), (c) =>
      c.query<{ name: string }>("select name from alerts_schema_migrations order by version"),
    );
    expect(rows.map((r) => r.name)).toEqual(
      (await readMigrations(MIGRATIONS_DIR)).map((m) => m.name),
    );
  });

  it("applies nothing on a second start", async () => {
    const ledger = () =>
      withClient(
        asPostgres(),
        async (c) =>
          (
            await c.query(
              "select version, checksum, applied_at from alerts_schema_migrations order by version",
            )
          ).rows,
      );
    const before = await ledger();
    await web?.stop();
    web = await startNextServer(env());
    expect(await ledger()).toEqual(before);
    const db = createPgDb({ connectionString: asPostgres(), max: 1 });
    try {
      expect(await migrate(db)).toEqual({ applied: [], changed: [] });
    } finally {
      await db.close();
    }
  });

  it("serves a user Supabase has: preferences, a webhook, an event delivered, history", async () => {
    if (!receiver || !web) throw new Error("no receiver or no server");
    const server = web;
    const user = await signUp();
    expect(
      await api(user.token, "PUT", "/api/alerts/preferences", { timezone: "Europe/Berlin" }),
    ).toMatchObject({ status: 200, body: { user_id: user.id, timezone: "Europe/Berlin" } });
    const hook = await api(user.token, "POST", "/api/alerts/webhooks", {
      name: "Receiver",
      url: `${receiver.url}/${database}`,
      webhook_type: "generic",
    });
    expect(hook.status).toBe(201);
    const seen = receiver.requests.length;
    const event = await fetch(`${web?.url}/api/alerts/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${SERVICE_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({
        type: "job_failed",
        user_id: user.id,
        job_id: randomUUID(),
        data: { model_name: "supabase-shape", error: "CUDA error" },
      }),
    });
    expect(event.status).toBe(202);
    await receiver.waitFor(seen + 1, 60_000);
    // The outcome is recorded a moment after the receiver's answer (group
    // commit); the server says so in its output, and history is asked then.
    const delivered = await waitOn(
      "the webhook delivery to be recorded in history",
      [[server.printed, "output"]],
      async () => {
        const h = await api(user.token, "GET", "/api/alerts/history");
        const items = h.body.items as { deliveries: { channel: string; status: string }[] }[];
        const d = items[0]?.deliveries.find((x) => x.channel === "webhook");
        return d?.status === "delivered" ? items : undefined;
      },
    );
    expect(delivered).toHaveLength(1);
  });

  it("answers 401 to a token whose user is missing from auth.users, and writes nothing", async () => {
    const live = await signUp();
    // A deleted user's token, carrying an email a live user has now.
    const ghost = { id: randomUUID(), email: live.email };
    const token = await signUserToken(JWT_SECRET, { sub: ghost.id, email: ghost.email });
    const counts = () =>
      withClient(
        asAdmin(),
        async (c) =>
          (
            await c.query(
              `select (select count(*)::int from auth.users) as users,
                    (select count(*)::int from user_alert_preferences) as prefs,
                    (select count(*)::int from user_webhooks) as webhooks`,
            )
          ).rows[0],
      );
    const before = await counts();
    for (const [method, route, body] of [
      ["GET", "/api/alerts/preferences", undefined],
      ["PUT", "/api/alerts/preferences", { email_enabled: false }],
      ["POST", "/api/alerts/webhooks", { name: "x", url: "https://example.com/hook" }],
      ["GET", "/api/alerts/history", undefined],
    ] as const) {
      const res = await api(token, method, route, body);
      expect(res.status, `${method} ${route}`).toBe(401);
      expect(res.body.detail).toMatch(/this account no longer exists/i);
    }
    expect(await counts()).toEqual(before);
  });

  it("leaves the auth schema exactly as Supabase made it", async () => {
    const after = await withClient(asAdmin(), async (c) => (await c.query(AUTH_SNAPSHOT)).rows);
    expect(after).toEqual(authBefore);
  });

  describe("through PostgREST (supabase-js)", () => {
    let a: Awaited<ReturnType<typeof signUp>>;
    let b: Awaited<ReturnType<typeof signUp>>;
    let tables: { name: string; hasUser: boolean; firstColumn: string }[] = [];

    beforeAll(async () => {
      a = await signUp();
      b = await signUp();
      for (const user of [a, b]) {
        await api(user.token, "PUT", "/api/alerts/preferences", { weekly_digest_day: 3 });
        const hook = await api(user.token, "POST", "/api/alerts/webhooks", {
          name: "Slack",
          url: "https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/slackPathToken0123456789",
          secret: "generate",
        });
        expect(hook.status).toBe(201);
        const job = await fetch(`${web?.url}/api/training/jobs/${randomUUID()}`, {
          method: "PUT",
          headers: { authorization: `Bearer ${SERVICE_KEY}`, "content-type": "application/json" },
          body: JSON.stringify({ user_id: user.id, model_name: "bert", status: "running" }),
        });
        expect(job.status).toBe(201);
      }
      // History and deliveries of each, as the service records them.
      await withClient(asPostgres(), async (c) => {
        for (const user of [a, b]) {
          const { rows } = await c.query<{ id: string }>(
            `insert into alert_history (user_id, alert_type, title, message)
             values ($1, 'job_failed', 'Failed', 'It failed') returning id`,
            [user.id],
          );
          await c.query(
            `insert into alert_deliveries (alert_id, user_id, channel, status)
             values ($1, $2, 'email', 'delivered')`,
            [rows[0]?.id, user.id],
          );
          await c.query(
            `insert into report_runs (key, user_id, kind, local_date, timezone, due_at, period_start, period_end)
             values ('daily:' || $1 || ':2026-03-01', $1::uuid, 'daily', '2026-03-01', 'UTC', now(), now(), now())`,
            [user.id],
          );
        }
        // Every table in public, as a later migration may add more.
        const t = await c.query<{ name: string; has_user: boolean; first_column: string }>(
          `select c.relname as name,
                  exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'user_id'
                          and not a.attisdropped) as has_user,
                  (select a.attname from pg_attribute a where a.attrelid = c.oid and a.attnum > 0
                          and not a.attisdropped order by a.attnum limit 1) as first_column
           from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm')
           order by 1`,
        );
        tables = t.rows.map((r) => ({
          name: r.name,
          hasUser: r.has_user,
          firstColumn: r.first_column,
        }));
      });
      expect(tables.length).toBeGreaterThanOrEqual(10);
    }, 120_000);

    it("lets a user read their own rows, and RLS keeps users apart on every table", async () => {
      const readable = [
        "user_alert_preferences",
        "user_webhooks",
        "alert_history",
        "alert_events",
        "alert_deliveries",
        "training_jobs",
        "report_runs",
      ];
      for (const { name } of tables.filter((t) => t.hasUser)) {
        for (const [me, other] of [
          [a, b],
          [b, a],
        ] as const) {
          const res = await asPostgrest(
            database,
            { role: "authenticated", sub: me.id },
            `select user_id from ${name}`,
          );
          if ("code" in res) {
            expect(res, name).toEqual(denied);
            expect(readable, `${name} should be readable`).not.toContain(name);
            continue;
          }
          const owners = new Set(res.rows.map((r) => r.user_id));
          expect(owners.has(other.id), `${name}: another user's rows`).toBe(false);
          if (readable.includes(name)) expect([...owners], name).toEqual([me.id]);
        }
      }
      const hooks = await asPostgrest(
        database,
        { role: "authenticated", sub: a.id },
        "select id, name, url_masked, webhook_type, enabled, failure_count from user_webhooks",
      );
      expect(hooks).toMatchObject({ rowCount: 1, rows: [{ name: "Slack" }] });
    });

    it("never shows a webhook's url or secret", async () => {
      for (const sql of [
        "select url from user_webhooks",
        "select secret from user_webhooks",
        "select * from user_webhooks",
      ]) {
        expect(await asPostgrest(database, { role: "authenticated", sub: a.id }, sql), sql).toEqual(
          denied,
        );
      }
    });

    it("lets a user write no project table: insert, update, delete, truncate", async () => {
      for (const { name, firstColumn } of tables) {
        // Any column of the table: a table later migrations add need not have user_id.
        const column = `"${firstColumn}"`;
        for (const sql of [
          `insert into ${name} default values`,
          `update ${name} set ${column} = ${column}`,
          `delete from ${name}`,
          `truncate ${name}`,
        ]) {
          const res = await asPostgrest(database, { role: "authenticated", sub: a.id }, sql);
          expect(res, sql).toMatchObject(denied);
        }
      }
    });

    it("refuses each direct write the issue found", async () => {
      const statements = [
        `insert into user_webhooks (user_id, name, url) values ('${a.id}', 'Metadata', 'http://169.254.169.254/latest/meta-data/')`,
        `update user_webhooks set failure_count = 0 where user_id = '${a.id}'`,
        `update user_alert_preferences set timezone = 'Mars/Olympus_Mons' where user_id = '${a.id}'`,
        `update user_alert_preferences set weekly_digest_day = 42 where user_id = '${a.id}'`,
        `insert into user_webhooks (user_id, name, url, webhook_type)
           select user_id, name || n, url, webhook_type from user_webhooks, generate_series(1, 21) n
           where user_id = '${a.id}'`,
      ];
      for (const sql of statements) {
        expect(await asPostgrest(database, { role: "authenticated", sub: a.id }, sql), sql).toEqual(
          denied,
        );
      }
      // Nor can PostgREST become the API's role, nor anon read anything.
      expect(
        await withClient(urlOf("authenticator", database), (c) =>
          c.query(`set role ${API_ROLE}`).then(
            () => ({ ok: true }),
            (e: { code: string }) => ({ code: e.code }),
          ),
        ),
      ).toEqual(denied);
      for (const { name } of tables) {
        expect(
          await asPostgrest(database, { role: "anon" }, `select 1 from ${name}`),
          name,
        ).toEqual(denied);
      }
      const { rows } = await withClient(asPostgres(), (c) =>
        c.query(
          `select (select count(*)::int from user_webhooks where user_id = $1) as webhooks,
                  (select weekly_digest_day from user_alert_preferences where user_id = $1) as day,
                  has_schema_privilege('authenticated', 'pgboss', 'USAGE') as pgboss`,
          [a.id],
        ),
      );
      expect(rows[0]).toEqual({ webhooks: 1, day: 3, pgboss: false });
    });

    it("gives a table the migrating role creates later nothing for anon or authenticated", async () => {
      const { rows } = await withClient(asPostgres(), async (c) => {
        await c.query("begin");
        try {
          await c.query("create table later_table (id uuid primary key, user_id uuid)");
          return await c.query(
            `select has_table_privilege('anon', 'later_table', 'SELECT') as anon_select,
                    has_table_privilege('authenticated', 'later_table', 'INSERT') as insert,
                    has_table_privilege('authenticated', 'later_table', 'SELECT') as select,
                    has_table_privilege('service_role', 'later_table', 'SELECT') as service`,
          );
        } finally {
          await c.query("rollback");
        }
      });
      expect(rows[0]).toEqual({ anon_select: false, insert: false, select: false, service: true });
    });
  });
});

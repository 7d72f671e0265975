import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "@/lib/db/migrate";
import { ensureEventUser } from "@/lib/db/users";
import { createTestDb, type TestDb } from "./helpers/db";

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
    // Supabase's own auth.users (trimmed), recognised by its encrypted_password column.
    await supabase.db.exec(`
      do $$ begin
        if not exists (select 1 from pg_roles where rolname = 'authenticated') then create role authenticated nologin; end if;
      exception when duplicate_object or unique_violation then null; end $$;
      create schema auth;
      create table auth.users (id uuid primary key, email varchar(255), encrypted_password varchar(255));
      create function auth.uid() returns uuid language sql stable as
        $f$ select nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $f$;
    `);
    await migrate(supabase.db);
  });
  afterAll(() => supabase.drop());

  it("reports an unknown user as absent and writes nothing to the auth schema", async () => {
    const id = randomUUID();
    expect(await ensureEventUser(supabase.db, id)).toBe(false);
    expect(await usersWith(supabase.db, id)).toBe(0);
  });

  it("finds a user Supabase already has", async () => {
    const id = randomUUID();
    await supabase.db.query("insert into auth.users (id, email) values ($1, 'a@example.com')", [
      id,
    ]);
    expect(await ensureEventUser(supabase.db, id)).toBe(true);
  });
});

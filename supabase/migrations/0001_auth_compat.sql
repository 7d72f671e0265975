-- Supabase compatibility for plain PostgreSQL and PGlite.
-- On Supabase the roles, the auth schema, auth.users and auth.uid() already
-- exist and belong to Supabase; every statement here leaves them alone.
--
-- Edited by issue 13 (every `auth` statement guarded); databases that ran the
-- first version keep it: lib/db/migrate.ts accepts the checksum named here.
-- replaces-checksum: b9e49c3ada5f2170c8989aa1fb13def60468a6ba1388faf259ba4b444a26520e

-- Roles are cluster-wide: another database on the same server may create one
-- between our check and our CREATE, hence the exception handlers.
do $$ begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
exception when duplicate_object or unique_violation then null;
end $$;

do $$ begin
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
exception when duplicate_object or unique_violation then null;
end $$;

do $$ begin
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
exception when duplicate_object or unique_violation or insufficient_privilege then null;
end $$;

-- withUser() switches to `authenticated`; a connecting role that is not a
-- superuser needs membership to do that.
do $$ begin
  if not (select rolsuper from pg_roles where rolname = current_user) then
    execute format('grant authenticated to %I', current_user);
  end if;
exception when insufficient_privilege or duplicate_object then null;
end $$;

-- Every statement below that touches `auth` runs only when its object is
-- missing, so where Supabase (or anyone) already made them, none of them needs a
-- privilege on `auth`: since Supabase's 2025 permission lockdown
-- (20250421084701_revoke_admin_roles_from_postgres) `postgres` has no CREATE on
-- schema auth, and `create ... if not exists` checks that privilege before it
-- notices the object exists.
do $$ begin
  if to_regnamespace('auth') is null then
    create schema auth;
  end if;
end $$;

do $$ begin
  if to_regclass('auth.users') is null then
    create table auth.users (
      id uuid primary key,
      email text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
  end if;
end $$;

-- auth.uid() with the nullif fix: on a reused connection a transaction-local
-- setting reads back as '' (not NULL) after its transaction ends.
do $$ begin
  if to_regprocedure('auth.uid()') is null then
    create function auth.uid() returns uuid
      language sql stable
      as $f$
        select nullif(
          coalesce(
            nullif(current_setting('request.jwt.claim.sub', true), ''),
            nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
          ),
          ''
        )::uuid
      $f$;
  end if;
end $$;

-- Grants on the auth objects only where they are ours (the role running this
-- owns them); Supabase grants its own, and ours to give would need privileges
-- on `auth` that a project has no business holding.
do $$ begin
  if (select pg_get_userbyid(nspowner) from pg_namespace where nspname = 'auth') = current_user then
    grant usage on schema auth to anon, authenticated, service_role;
  end if;
  if (select pg_get_userbyid(proowner) from pg_proc where oid = 'auth.uid()'::regprocedure) = current_user then
    grant execute on function auth.uid() to anon, authenticated, service_role;
  end if;
  if (select pg_get_userbyid(relowner) from pg_class where oid = 'auth.users'::regclass) = current_user then
    grant select on auth.users to service_role;
  end if;
end $$;

grant usage on schema public to anon, authenticated, service_role;

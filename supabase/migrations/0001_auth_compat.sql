-- Supabase compatibility for plain PostgreSQL and PGlite.
-- On Supabase the roles, the auth schema, auth.users and auth.uid() already
-- exist and belong to Supabase; every statement here leaves them alone.

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

create schema if not exists auth;

create table if not exists auth.users (
  id uuid primary key,
  email text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

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

-- Grants on the auth schema only where we created it (Supabase manages its own).
do $$ begin
  if not exists (
    select 1 from information_schema.columns
    where table_schema = 'auth' and table_name = 'users' and column_name = 'encrypted_password'
  ) then
    grant usage on schema auth to anon, authenticated, service_role;
    grant execute on function auth.uid() to anon, authenticated, service_role;
    grant select on auth.users to service_role;
  end if;
end $$;

grant usage on schema public to anon, authenticated, service_role;

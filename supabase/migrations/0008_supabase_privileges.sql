-- Privileges decide, not Supabase's defaults (issue 13).
--
-- Supabase's default privileges give `anon` and `authenticated` every
-- privilege on every table the migrating role creates in `public`, so
-- PostgREST (supabase-js) could write our tables around the API's
-- validation, with RLS as the only barrier. From here on:
--   * `anon` has nothing; `authenticated` (a PostgREST user) may SELECT its
--     own rows and nothing else, and no webhook `url` or `secret`;
--   * the API writes as `training_alerts_api`, a role of its own that
--     PostgREST cannot become (the `authenticator` role is no member of it).
--     It is a member of `authenticated`, so every `TO authenticated` policy
--     binds it too: RLS still keeps users apart on the API's writes;
--   * the database holds the invariants the API promises (CHECK constraints,
--     the 20-webhook cap, IANA time zones).
-- Nothing here touches `auth` or `extensions`, and nothing needs a superuser:
-- Supabase's `postgres` has CREATEROLE, and on PostgreSQL 16+ ADMIN on
-- `authenticated` (20250605172253_grant_with_admin_to_postgres_16_and_above).

-- The API's role. Roles are cluster-wide: another database on the same server
-- may create or grant it between our check and our statement.
do $$ begin
  if not exists (select 1 from pg_roles where rolname = 'training_alerts_api') then
    create role training_alerts_api nologin inherit;
  end if;
exception when duplicate_object or unique_violation then null;
end $$;

do $$ begin
  if not exists (
    select 1 from pg_auth_members
    where roleid = 'authenticated'::regrole and member = 'training_alerts_api'::regrole
  ) then
    grant authenticated to training_alerts_api;
  end if;
exception when duplicate_object or unique_violation then null;
end $$;

-- withUser() switches to it, so the role that migrates and serves must be a
-- member (a superuser may switch to any role, and a grant to it is harmless).
do $$ begin
  execute format('grant training_alerts_api to %I', current_user);
exception when duplicate_object or unique_violation then null;
end $$;

-- Revoke first, then grant exactly what the design means. `public` is
-- included: a table never has PUBLIC grants unless someone added them.
revoke all on table user_alert_preferences, user_webhooks, alert_history, alert_events,
  alert_deliveries, training_jobs, alert_dedupe, report_runs, alerts_schema_migrations
  from public, anon, authenticated;

-- A user reads their own rows (RLS policies `user_id = auth.uid()`).
grant select on table user_alert_preferences, alert_history, alert_events, alert_deliveries,
  training_jobs, report_runs to authenticated;

-- Webhooks without `url` and `secret` (ciphertext, but still not a client's
-- to read). A column-level grant: a later migration that adds a column to
-- user_webhooks must `grant select (that_column) on user_webhooks to
-- authenticated` for supabase-js to read it (and `select *` to work).
do $$
declare
  cols text;
begin
  select string_agg(quote_ident(attname), ', ' order by attnum) into cols
  from pg_attribute
  where attrelid = 'public.user_webhooks'::regclass and attnum > 0 and not attisdropped
    and attname not in ('url', 'secret');
  execute format('grant select (%s) on table user_webhooks to authenticated', cols);
end $$;

-- The API's writes (validated before they get here), as the user, under RLS.
-- It reads webhooks whole: it decrypts the URL to send a test delivery.
grant select, insert, update, delete on table user_alert_preferences, user_webhooks
  to training_alerts_api;

-- Objects the migrating role creates later start with nothing for anon and
-- authenticated, instead of Supabase's "grant all" (this sets the defaults of
-- the role running the migrations, the one Supabase's defaults are for).
-- Every later migration that adds a table still states its privileges:
-- `revoke all on table X from anon, authenticated; grant select on table X to
-- authenticated;` (the revoke is a no-op here, and not elsewhere).
alter default privileges in schema public revoke all on tables from anon, authenticated;
alter default privileges in schema public revoke all on sequences from anon, authenticated;
alter default privileges in schema public revoke all on functions from anon, authenticated;
-- EXECUTE on a new function comes from PUBLIC (not from a grant to anon or
-- authenticated), and only a global default revokes it.
alter default privileges revoke execute on functions from public;

-- Functions: PostgREST exposes every function in `public` as an RPC. None of
-- ours is for clients. (Trigger functions need no EXECUTE to fire.)
revoke all on function training_jobs_stamp() from public, anon, authenticated;
revoke all on function training_jobs_record_event() from public, anon, authenticated;
revoke all on function alerts_report_zone(text) from public, anon, authenticated;

-- ---------------------------------------------------------------------------
-- Users: one place decides whether the auth schema is ours to write.
-- Standalone (our own auth.users) a user id first seen gets a row; on Supabase
-- (GoTrue's auth.users, told apart by its encrypted_password column) the table
-- is read-only for the project and an unknown id is absent. PL/pgSQL plans the
-- INSERT only when it runs, so on Supabase it needs no privilege on auth.users.
create or replace function alerts_ensure_user(user_id uuid, email text default null)
returns boolean
language plpgsql volatile set search_path = pg_catalog, pg_temp as $$
begin
  if exists (
    select 1 from pg_catalog.pg_attribute
    where attrelid = 'auth.users'::regclass and attname = 'encrypted_password' and not attisdropped
  ) then
    return exists (select 1 from auth.users u where u.id = alerts_ensure_user.user_id);
  end if;
  if alerts_ensure_user.email is null then
    insert into auth.users (id) values (alerts_ensure_user.user_id) on conflict (id) do nothing;
  else
    -- The token's email becomes the user's address unless one is known.
    insert into auth.users as u (id, email)
    values (alerts_ensure_user.user_id, alerts_ensure_user.email)
    on conflict (id) do update set email = excluded.email where u.email is null;
  end if;
  return true;
end $$;
revoke all on function alerts_ensure_user(uuid, text) from public, anon, authenticated;

-- ---------------------------------------------------------------------------
-- Invariants the API promises, held by the database too. Rows only a direct
-- write could have made are first brought back to the seed's defaults, so
-- the constraints hold from here on and validate now.
update user_alert_preferences set weekly_digest_day = 1
  where weekly_digest_day not between 0 and 6;
update user_alert_preferences set daily_summary_time = '09:00:00'
  where daily_summary_time >= '24:00:00';
update user_alert_preferences set quiet_hours_start = '22:00:00'
  where quiet_hours_start >= '24:00:00';
update user_alert_preferences set quiet_hours_end = '08:00:00'
  where quiet_hours_end >= '24:00:00';
update user_webhooks set webhook_type = 'generic'
  where webhook_type not in
    ('slack', 'discord', 'generic', 'teams', 'telegram', 'ntfy', 'pagerduty', 'mattermost');
update user_webhooks set failure_count = 0 where failure_count < 0;

-- `TIME` accepts 24:00:00; the API's HH:MM[:SS] does not.
alter table user_alert_preferences
  drop constraint if exists user_alert_preferences_weekly_digest_day_check,
  add constraint user_alert_preferences_weekly_digest_day_check
    check (weekly_digest_day between 0 and 6),
  drop constraint if exists user_alert_preferences_times_check,
  add constraint user_alert_preferences_times_check
    check (daily_summary_time < '24:00:00' and quiet_hours_start < '24:00:00'
           and quiet_hours_end < '24:00:00');

-- Every type of DESIGN.md §5 (the code for some arrives separately).
alter table user_webhooks
  drop constraint if exists user_webhooks_webhook_type_check,
  add constraint user_webhooks_webhook_type_check
    check (webhook_type in
      ('slack', 'discord', 'generic', 'teams', 'telegram', 'ntfy', 'pagerduty', 'mattermost')),
  drop constraint if exists user_webhooks_failure_count_check,
  add constraint user_webhooks_failure_count_check check (failure_count >= 0);

-- Time zones: the names PostgreSQL knows (pg_timezone_names), compared
-- without case as `AT TIME ZONE` does. Reading pg_timezone_names scans the
-- zone files (100–250 ms), so the names are copied here once and a name that
-- is not in the copy (tzdata updated since) is looked up there.
create table if not exists alerts_time_zones (
  name text primary key  -- lower case
);
alter table alerts_time_zones enable row level security;
revoke all on table alerts_time_zones from public, anon, authenticated;
insert into alerts_time_zones (name)
  select distinct lower(name) from pg_catalog.pg_timezone_names
  on conflict (name) do nothing;

-- SECURITY DEFINER: it is evaluated as whoever writes the row (the API's
-- role too), and reads a table that nobody else may.
create or replace function alerts_is_time_zone(zone text) returns boolean
language plpgsql stable security definer set search_path = pg_catalog, public, pg_temp as $$
begin
  return exists (select 1 from alerts_time_zones where name = lower(zone))
      or exists (select 1 from pg_catalog.pg_timezone_names where lower(name) = lower(zone));
end $$;
revoke all on function alerts_is_time_zone(text) from public, anon, authenticated;
grant execute on function alerts_is_time_zone(text) to training_alerts_api, service_role;

update user_alert_preferences set timezone = 'UTC'
  where timezone is not null and not alerts_is_time_zone(timezone);
alter table user_alert_preferences
  drop constraint if exists user_alert_preferences_timezone_check,
  add constraint user_alert_preferences_timezone_check
    check (timezone is null or alerts_is_time_zone(timezone));

-- At most 20 webhooks a user (DESIGN.md §5). AFTER the insert, so a
-- statement inserting many rows counts them all; the API's lock (the same
-- key as insertWebhook's) makes concurrent creates count one another.
create or replace function user_webhooks_cap() returns trigger
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
begin
  perform pg_advisory_xact_lock(hashtextextended(new.user_id::text, 7394002));
  if (select count(*) from user_webhooks where user_id = new.user_id) > 20 then
    raise exception 'a user has at most 20 webhooks; delete one before adding another'
      using errcode = 'check_violation', constraint = 'user_webhooks_cap';
  end if;
  return null;
end $$;
revoke all on function user_webhooks_cap() from public, anon, authenticated;
drop trigger if exists user_webhooks_cap on user_webhooks;
create trigger user_webhooks_cap after insert on user_webhooks
  for each row execute function user_webhooks_cap();

-- ---------------------------------------------------------------------------
-- Deliveries outlive their webhook (the seed's ON DELETE SET NULL). The key
-- (alert_id, channel, webhook_id) with NULLS NOT DISTINCT made the second
-- deleted webhook of an alert collide with the first one's NULL. One delivery
-- per alert and live webhook, and one email per alert, is what it meant;
-- deleted webhooks' rows are history and need no key.
alter table alert_deliveries
  drop constraint if exists alert_deliveries_alert_id_channel_webhook_id_key;
create unique index if not exists alert_deliveries_one_per_webhook
  on alert_deliveries (alert_id, webhook_id) where webhook_id is not null;
create unique index if not exists alert_deliveries_one_email
  on alert_deliveries (alert_id) where channel = 'email';

-- The history keeps naming a deleted webhook: its name is copied onto its
-- deliveries as it goes.
alter table alert_deliveries add column if not exists webhook_name text;

create or replace function user_webhooks_keep_name() returns trigger
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
begin
  update alert_deliveries set webhook_name = old.name where webhook_id = old.id;
  return old;
end $$;
revoke all on function user_webhooks_keep_name() from public, anon, authenticated;
drop trigger if exists user_webhooks_keep_name on user_webhooks;
create trigger user_webhooks_keep_name before delete on user_webhooks
  for each row execute function user_webhooks_keep_name();

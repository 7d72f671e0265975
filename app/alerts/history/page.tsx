import type { Metadata } from "next";
import { GET } from "@/app/api/alerts/history/route";
import { GET as getPreferences } from "@/app/api/alerts/preferences/route";
import { GET as getWebhooks } from "@/app/api/alerts/webhooks/route";
import { ALERT_STATUSES, ALERT_TYPES } from "@/lib/alerts";
import { getContext } from "@/lib/server/context";
import {
  callApi,
  type HistoryPageJson,
  type PreferencesJson,
  type WebhookJson,
} from "../../_lib/api";
import { requireSession } from "../../_lib/session";
import { FilterField } from "../../_ui/filter-field";
import { STATUS_LABELS, typeLabel } from "../../_ui/labels";
import { Pager, pageUrl } from "../../_ui/pager";
import { ProblemBanner, splitErrors } from "../../_ui/problem-banner";
import { AutoRefresh } from "./auto-refresh";
import { HistoryItem, type WebhookRef } from "./history-item";
import { MutesPanel } from "./mutes-panel";
import { SampleEventForm } from "./sample-event";
import { ViewTabs } from "./view-tabs";

// Per-user pages: rendered at request time, never prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Alert history · Training Alerts" };

const FILTERS = ["alert_type", "status", "job_id", "group", "since"] as const;
const PAGE_SIZE = "20";

type SearchParams = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() || "";

export default async function HistoryPage({
  searchParams,
}: {
  searchParams: Promise<SearchParams>;
}) {
  const params = await searchParams;
  const filters = Object.fromEntries(FILTERS.map((f) => [f, first(params[f])])) as Record<
    (typeof FILTERS)[number],
    string
  >;
  const cursor = first(params.cursor);
  const here = pageUrl("/alerts/history", { ...filters, cursor });
  const session = await requireSession(here);
  const ctx = await getContext();

  const [page, hooks, prefs] = await Promise.all([
    callApi<HistoryPageJson>(session.token, GET, "GET", "/api/alerts/history", {
      query: { ...filters, cursor, limit: PAGE_SIZE },
    }),
    callApi<{ items: WebhookJson[] }>(session.token, getWebhooks, "GET", "/api/alerts/webhooks"),
    callApi<PreferencesJson>(session.token, getPreferences, "GET", "/api/alerts/preferences"),
  ]);
  const zone = prefs.ok ? prefs.data.timezone : "UTC";
  const webhooks = new Map<string, WebhookRef>(
    (hooks.ok ? hooks.data.items : []).map((w) => [w.id, { name: w.name, type: w.webhook_type }]),
  );
  const { byField, rest } = splitErrors(page.ok ? undefined : page.problem, [...FILTERS, "cursor"]);
  const filtered = FILTERS.some((f) => filters[f]);
  const items = page.ok ? page.data.items : [];
  const inFlight = items.some(
    (i) => i.status === "pending" || i.deliveries.some((d) => d.status === "sending"),
  );

  return (
    <main id="main">
      <h1>Alert history</h1>
      <ViewTabs current="alerts" />
      <p className="lede">
        Every alert, newest first, with what happened on each channel. Open one to see its
        deliveries and the message as it was formatted. Times are shown in {zone}.
      </p>

      {ctx.config.localMode ? <SampleEventForm /> : null}

      <MutesPanel token={session.token} zone={zone} />

      <form method="get" action="/alerts/history" className="card filters" noValidate>
        <h2 className="visually-hidden">Filters</h2>
        <FilterField
          id="filter-type"
          label="Type"
          name="alert_type"
          value={filters.alert_type}
          error={byField.alert_type}
          any="All types"
          choices={ALERT_TYPES.map((t) => ({ value: t, label: typeLabel(t) }))}
        />
        <FilterField
          id="filter-status"
          label="Status"
          name="status"
          value={filters.status}
          error={byField.status}
          any="Any status"
          choices={ALERT_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))}
        />
        <FilterField
          id="filter-job"
          label="Job id"
          name="job_id"
          value={filters.job_id}
          error={byField.job_id}
          grow
          placeholder="e.g. 3f2b8c1e-4d5a-4b6c-9d7e-1a2b3c4d5e6f"
        />
        <FilterField
          id="filter-group"
          label="Group"
          name="group"
          value={filters.group}
          error={byField.group}
          placeholder="e.g. lr-search"
        />
        {filters.since ? <input type="hidden" name="since" value={filters.since} /> : null}
        <div className="actions align-end">
          <button type="submit">Filter</button>
          {filtered ? <a href="/alerts/history">Clear filters</a> : null}
        </div>
      </form>

      <ProblemBanner problem={rest} />
      {byField.cursor ? (
        <p className="banner banner-error" role="alert">
          This page link is out of date. <a href="/alerts/history">Start from the newest alerts</a>.
        </p>
      ) : null}

      <AutoRefresh active={inFlight} />

      {page.ok && items.length === 0 ? (
        <div className="empty card">
          {filtered || cursor ? (
            <p>
              <strong>No alerts match.</strong> <a href="/alerts/history">Show all alerts</a>.
            </p>
          ) : (
            <p>
              <strong>No alerts yet.</strong> They appear here when a training job reports an event
              {ctx.config.localMode ? " — or send a sample event above" : ""}. See the README for
              connecting a training server.
            </p>
          )}
        </div>
      ) : null}

      {items.length > 0 ? (
        <ul className="history-list" aria-label="Alerts">
          {items.map((item) => (
            <HistoryItem
              key={item.id}
              item={item}
              webhooks={webhooks}
              zone={zone}
              appUrl={ctx.config.appUrl}
            />
          ))}
        </ul>
      ) : null}

      {page.ok ? (
        <Pager
          path="/alerts/history"
          filters={filters}
          cursor={cursor}
          nextCursor={page.data.next_cursor}
          olderLabel="Older alerts →"
        />
      ) : null}
    </main>
  );
}

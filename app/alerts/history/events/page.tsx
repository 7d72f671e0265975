import type { Metadata } from "next";
import type { z } from "zod";
import { GET } from "@/app/api/alerts/events/route";
import { GET as getPreferences } from "@/app/api/alerts/preferences/route";
import type { inboxPageSchema } from "@/lib/alerts";
import { callApi, type PreferencesJson } from "../../../_lib/api";
import { requireSession } from "../../../_lib/session";
import { formatWhen } from "../../../_ui/format";
import { typeLabel } from "../../../_ui/labels";
import { Pager, pageUrl } from "../../../_ui/pager";
import { ProblemBanner } from "../../../_ui/problem-banner";
import { ViewTabs } from "../view-tabs";

// Per-user pages: rendered at request time, never prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Events · Alert history · Training Alerts" };

type InboxPage = z.output<typeof inboxPageSchema>;

const TONE: Record<string, string> = {
  alerted: "badge-good",
  deferred: "badge-info",
  muted: "badge-muted",
  suppressed: "badge-muted",
  deduplicated: "badge-muted",
  no_channels: "badge-warn",
  below_threshold: "badge-muted",
  unknown_user: "badge-bad",
  error: "badge-bad",
};

const OUTCOME_LABELS: Record<string, string> = {
  alerted: "Alerted",
  deferred: "Deferred",
  muted: "Muted",
  suppressed: "Suppressed",
  deduplicated: "Duplicate",
  no_channels: "No channel",
  below_threshold: "Below threshold",
  unknown_user: "Unknown user",
  error: "Error",
};

type SearchParams = Record<string, string | string[] | undefined>;

/** The events the user's producers sent, newest first, and what became of each. */
export default async function EventsPage({
  searchParams,
}: {
  searchParams: Promise<SearchParams>;
}) {
  const params = await searchParams;
  const cursor = typeof params.cursor === "string" ? params.cursor : "";
  const session = await requireSession(pageUrl("/alerts/history/events", { cursor }));
  const [page, prefs] = await Promise.all([
    callApi<InboxPage>(session.token, GET, "GET", "/api/alerts/events", {
      query: { cursor, limit: "50" },
    }),
    callApi<PreferencesJson>(session.token, getPreferences, "GET", "/api/alerts/preferences"),
  ]);
  const zone = prefs.ok ? prefs.data.timezone : "UTC";
  const items = page.ok ? page.data.items : [];
  return (
    <main id="main">
      <h1>Alert history</h1>
      <ViewTabs current="events" />
      <p className="lede">
        Every event your training servers and agents reported, newest first, and what became of it —
        including the ones that did not become an alert, and why. Times are shown in {zone}.
      </p>
      <ProblemBanner problem={page.ok ? undefined : page.problem} />
      {page.ok && items.length === 0 ? (
        <div className="empty card">
          <p>
            <strong>No events yet.</strong> They appear here as soon as a producer posts one to{" "}
            <code>/api/alerts/events</code>.
          </p>
        </div>
      ) : null}
      {items.length > 0 ? (
        <div className="table-scroll">
          <table className="table events-table">
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">Event</th>
                <th scope="col">Outcome</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.event_id} data-event-id={e.event_id}>
                  <td>
                    <time dateTime={e.received_at}>{formatWhen(e.received_at, zone)}</time>
                  </td>
                  <td>
                    {typeLabel(e.type)}
                    {e.job_id ? (
                      <>
                        <br />
                        <a className="hint" href={`/alerts/history?job_id=${e.job_id}`}>
                          job <code>{e.job_id.slice(0, 8)}</code>
                        </a>
                      </>
                    ) : null}
                  </td>
                  <td>
                    <span className={`badge ${TONE[e.outcome ?? ""] ?? "badge-info"}`}>
                      {e.outcome ? (OUTCOME_LABELS[e.outcome] ?? e.outcome) : "Waiting"}
                    </span>
                  </td>
                  <td className="event-why">{e.outcome_text}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {page.ok ? (
        <Pager
          path="/alerts/history/events"
          cursor={cursor}
          nextCursor={page.data.next_cursor}
          olderLabel="Older events →"
        />
      ) : null}
    </main>
  );
}

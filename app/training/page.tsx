import type { Metadata } from "next";
import { GET as getPreferences } from "@/app/api/alerts/preferences/route";
import { GET } from "@/app/api/training/jobs/route";
import { JOB_STATUSES } from "@/lib/alerts";
import { getContext } from "@/lib/server/context";
import { callApi, type PreferencesJson } from "../_lib/api";
import { requireSession } from "../_lib/session";
import { FilterField } from "../_ui/filter-field";
import { formatWhen } from "../_ui/format";
import { typeLabel } from "../_ui/labels";
import { Pager, pageUrl } from "../_ui/pager";
import { ProblemBanner, splitErrors } from "../_ui/problem-banner";
import {
  formatDuration,
  formatLoss,
  JobStatusBadge,
  type JobsPageJson,
  jobHref,
  ProgressBar,
} from "./_ui/job-view";
import { LiveRefresh } from "./_ui/live-refresh";
import "./training.css";

// Per-user pages: rendered at request time, never prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Jobs · Training Alerts" };

const FILTERS = ["status", "group", "q"] as const;
const PAGE_SIZE = "25";

type SearchParams = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() || "";

export default async function JobsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const filters = Object.fromEntries(FILTERS.map((f) => [f, first(params[f])])) as Record<
    (typeof FILTERS)[number],
    string
  >;
  const cursor = first(params.cursor);
  const session = await requireSession(pageUrl("/training", { ...filters, cursor }));
  const ctx = await getContext();
  const [page, prefs] = await Promise.all([
    callApi<JobsPageJson>(session.token, GET, "GET", "/api/training/jobs", {
      query: { ...filters, cursor, limit: PAGE_SIZE },
    }),
    callApi<PreferencesJson>(session.token, getPreferences, "GET", "/api/alerts/preferences"),
  ]);
  const zone = prefs.ok ? prefs.data.timezone : "UTC";
  const { byField, rest } = splitErrors(page.ok ? undefined : page.problem, [...FILTERS, "cursor"]);
  const filtered = FILTERS.some((f) => filters[f]);
  const items = page.ok ? page.data.items : [];
  const running = items.some((j) => j.status === "running" || j.status === "queued");

  return (
    <main id="main" className="wide">
      <h1>Jobs</h1>
      <p className="lede">
        Your training jobs, newest first. Open one for its loss curve, its errors and every alert it
        raised. Times are shown in {zone}.
      </p>

      <form method="get" action="/training" className="card filters" noValidate>
        <h2 className="visually-hidden">Filters</h2>
        <FilterField
          id="filter-status"
          label="Status"
          name="status"
          value={filters.status}
          error={byField.status}
          any="Any status"
          choices={JOB_STATUSES.map((s) => ({ value: s, label: s[0]?.toUpperCase() + s.slice(1) }))}
        />
        <FilterField
          id="filter-q"
          label="Model"
          name="q"
          value={filters.q}
          error={byField.q}
          grow
          placeholder="part of a model name"
        />
        <FilterField
          id="filter-group"
          label="Group"
          name="group"
          value={filters.group}
          error={byField.group}
          placeholder="e.g. sweep-7"
        />
        <div className="actions align-end">
          <button type="submit">Filter</button>
          {filtered ? <a href="/training">Clear filters</a> : null}
        </div>
      </form>

      <ProblemBanner problem={rest} />
      {byField.cursor ? (
        <p className="banner banner-error" role="alert">
          This page link is out of date. <a href="/training">Start from the newest jobs</a>.
        </p>
      ) : null}

      <LiveRefresh active={running} />

      {page.ok && items.length === 0 ? (
        filtered || cursor ? (
          <div className="empty card">
            <p>
              <strong>No jobs match.</strong> <a href="/training">Show all jobs</a>.
            </p>
          </div>
        ) : (
          <EmptyState appUrl={ctx.config.appUrl} userId={session.userId} />
        )
      ) : null}

      {items.length > 0 ? (
        <div className="table-scroll jobs-table-wrap">
          <table className="table jobs-table">
            <caption className="visually-hidden">Training jobs</caption>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Model</th>
                <th scope="col">Progress</th>
                <th scope="col">Last loss</th>
                <th scope="col">Duration</th>
                <th scope="col">GPUs</th>
                <th scope="col">Group</th>
                <th scope="col">Last alert</th>
              </tr>
            </thead>
            <tbody>
              {items.map((job) => (
                <tr key={job.id}>
                  <td data-label="Status">
                    <JobStatusBadge status={job.status} />
                  </td>
                  <td data-label="Model">
                    <a href={jobHref(job.id)} className="job-link">
                      {job.model_name || "(unnamed model)"}
                    </a>
                    <span className="muted job-started">
                      {job.started_at
                        ? `started ${formatWhen(job.started_at, zone)}`
                        : `created ${formatWhen(job.created_at, zone)}`}
                    </span>
                  </td>
                  <td data-label="Progress">
                    <ProgressBar step={job.current_step} total={job.total_steps} />
                  </td>
                  <td data-label="Last loss" className="num">
                    {formatLoss(job.loss)}
                  </td>
                  <td data-label="Duration" className="num">
                    {formatDuration(job.duration_seconds)}
                  </td>
                  <td data-label="GPUs" className="num">
                    {job.gpu_count}
                  </td>
                  <td data-label="Group">
                    {job.group ? (
                      <a href={`/training?group=${encodeURIComponent(job.group)}`}>{job.group}</a>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td data-label="Last alert">
                    {job.last_alert ? (
                      <span className="stack-tight">
                        <span>{typeLabel(job.last_alert.alert_type)}</span>
                        <time className="muted" dateTime={job.last_alert.created_at}>
                          {formatWhen(job.last_alert.created_at, zone)}
                        </time>
                      </span>
                    ) : (
                      <span className="muted">none</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}

      {page.ok ? (
        <Pager
          path="/training"
          filters={filters}
          cursor={cursor}
          nextCursor={page.data.next_cursor}
          olderLabel="Older jobs →"
        />
      ) : null}
    </main>
  );
}

/** No jobs yet: what to add to a training script, with this server's values filled in. */
function EmptyState({ appUrl, userId }: { appUrl: string; userId: string }) {
  return (
    <section className="empty card stack" aria-labelledby="no-jobs">
      <h2 id="no-jobs" className="h3">
        No jobs yet
      </h2>
      <p>
        Jobs appear here when a training script reports them. With the Python client (
        <code>integrations/python/training_alerts.py</code>, one file, standard library only), add
        three lines to your script:
      </p>
      <pre>
        <code>{`from training_alerts import TrainingAlerts
alerts = TrainingAlerts.from_env()
with alerts.job(model_name="mistral-7b", total_steps=5000) as job:
    train()  # your existing code, indented; call job.progress(step, loss=loss) as it runs`}</code>
      </pre>
      <p>and run it with these variables set:</p>
      <pre>
        <code>{`ALERTS_URL=${appUrl}
ALERTS_USER_ID=${userId}
ALERTS_SERVICE_KEY=<the server's service key>`}</code>
      </pre>
      <p className="hint">
        Any producer can do the same over HTTP: <code>PUT /api/training/jobs/&#123;id&#125;</code>{" "}
        and <code>POST /api/training/jobs/&#123;id&#125;/progress</code> (see the API reference at{" "}
        <a href="/api/openapi.json">/api/openapi.json</a>).
      </p>
    </section>
  );
}

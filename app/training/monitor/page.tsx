import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { GET as getPreferences } from "@/app/api/alerts/preferences/route";
import { GET as getWebhooks } from "@/app/api/alerts/webhooks/route";
import { GET } from "@/app/api/training/jobs/[id]/route";
import { callApi, type PreferencesJson, type WebhookJson } from "../../_lib/api";
import { requireSession } from "../../_lib/session";
import { formatWhen } from "../../_ui/format";
import { typeLabel, WEBHOOK_TYPE_LABELS } from "../../_ui/labels";
import { ProblemBanner } from "../../_ui/problem-banner";
import { StatusBadge } from "../../alerts/history/history-item";
import { MuteForm } from "../../alerts/history/mute-form";
import {
  formatDuration,
  formatLoss,
  type JobDetailJson,
  JobStatusBadge,
  ProgressBar,
} from "../_ui/job-view";
import { type ChartPoint, LineChart } from "../_ui/line-chart";
import { LiveRefresh } from "../_ui/live-refresh";
import "../training.css";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Job · Training Alerts" };

/** Points drawn per chart: plenty for a 1000-px-wide line, a tenth of the page's weight. */
const CHART_POINTS = "800";

type SearchParams = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() || "";

export default async function JobPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const jobId = first((await searchParams).jobId);
  const session = await requireSession(`/training/monitor?jobId=${encodeURIComponent(jobId)}`);
  if (!jobId) notFound();
  const [res, prefs, hooks] = await Promise.all([
    callApi<JobDetailJson>(session.token, GET, "GET", `/api/training/jobs/${jobId}`, {
      params: { id: jobId },
      query: { points: CHART_POINTS },
    }),
    callApi<PreferencesJson>(session.token, getPreferences, "GET", "/api/alerts/preferences"),
    callApi<{ items: WebhookJson[] }>(session.token, getWebhooks, "GET", "/api/alerts/webhooks"),
  ]);
  // A malformed id, a missing job and another user's job all look the same: not found.
  if (!res.ok && (res.status === 404 || res.status === 422)) notFound();
  if (!res.ok) {
    return (
      <main id="main">
        <h1>Job</h1>
        <ProblemBanner problem={res.problem} />
      </main>
    );
  }
  const job = res.data;
  const zone = prefs.ok ? prefs.data.timezone : "UTC";
  const webhooks = new Map((hooks.ok ? hooks.data.items : []).map((w) => [w.id, w]));
  const name = job.model_name || "(unnamed model)";

  return (
    <main id="main" className="wide">
      <p className="breadcrumb">
        <a href="/training">← Jobs</a>
      </p>
      <header className="job-header">
        <h1>{name}</h1>
        <JobStatusBadge status={job.status} />
      </header>
      <LiveRefresh active={job.status === "running" || job.status === "queued"} />
      <dl className="facts card job-facts">
        <Fact label="Progress">
          <ProgressBar step={job.current_step} total={job.total_steps} />
        </Fact>
        <Fact label="Last loss">{formatLoss(job.loss)}</Fact>
        <Fact label="Started">
          <When iso={job.started_at} zone={zone} />
        </Fact>
        <Fact label="Finished">
          <When iso={job.finished_at} zone={zone} />
        </Fact>
        <Fact label={job.finished_at ? "Duration" : "Running for"}>
          {formatDuration(job.duration_seconds)}
        </Fact>
        <Fact label="GPUs">{job.gpu_count}</Fact>
        <Fact label="GPU-hours">{job.gpu_hours == null ? "—" : job.gpu_hours.toFixed(2)}</Fact>
        <Fact label="Last progress">
          <When iso={job.last_progress_at} zone={zone} />
        </Fact>
        {job.group ? (
          <Fact label="Group">
            <a href={`/training?group=${encodeURIComponent(job.group)}`}>{job.group}</a>
          </Fact>
        ) : null}
        <Fact label="Job id" wide>
          <code>{job.id}</code>
        </Fact>
      </dl>

      <section className="card" aria-labelledby="mute-job">
        <h2 id="mute-job" className="h3">
          Mute this job
        </h2>
        <p className="hint">
          Its alerts are still recorded in History, marked “Muted”, but not sent. Unmute there.
        </p>
        <MuteForm
          zone={zone}
          targets={[
            { value: `job:${job.id}`, label: "this job" },
            ...(job.group
              ? [{ value: `group:${job.group}`, label: `the group “${job.group}”` }]
              : []),
          ]}
        />
      </section>

      <Charts job={job} />
      <Problems job={job} />
      <Timeline job={job} zone={zone} webhooks={webhooks} />

      <section aria-labelledby="metadata" className="stack">
        <h2 id="metadata">Metadata</h2>
        {job.metrics && Object.keys(job.metrics).length > 0 ? (
          <dl className="facts compact card">
            {Object.entries(job.metrics).map(([k, v]) => (
              <Fact key={k} label={k}>
                {String(Number(v.toPrecision(6)))}
              </Fact>
            ))}
          </dl>
        ) : null}
        {Object.keys(job.metadata).length > 0 ? (
          <pre className="job-metadata">{JSON.stringify(job.metadata, null, 2)}</pre>
        ) : (
          <p className="hint">This job was reported with no metadata.</p>
        )}
      </section>
    </main>
  );
}

function Fact({
  label,
  wide,
  children,
}: {
  label: string;
  wide?: boolean;
  children: React.ReactNode;
}) {
  return (
    <div className={wide ? "wide" : undefined}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function When({ iso, zone }: { iso: string | null; zone: string }) {
  return iso ? <time dateTime={iso}>{formatWhen(iso, zone)}</time> : <>—</>;
}

/** The loss curve by step, and the step rate over time, from the progress points. */
function Charts({ job }: { job: JobDetailJson }) {
  const finite = job.progress.filter(
    (p): p is typeof p & { loss: number } => typeof p.loss === "number",
  );
  const nonFinite = job.progress.filter((p) => typeof p.loss === "string").length;
  const loss: ChartPoint[] = finite.map((p) => ({ x: p.step, y: p.loss }));
  const rate = stepRate(job.progress);
  const thinned = job.progress_count > job.progress.length;
  return (
    <section aria-labelledby="charts" className="stack">
      <h2 id="charts">Progress</h2>
      {job.progress.length === 0 ? (
        <p className="hint">
          No progress reported yet. Points appear here as the job reports its step and loss.
        </p>
      ) : (
        <div className="chart-pair">
          {loss.length > 0 ? (
            <LineChart
              id="loss-chart"
              title="Loss by step"
              xLabel="Step"
              yLabel="Loss"
              points={loss}
              summary={`${loss.length} points, from ${formatLoss(loss[0]?.y)} at step ${loss[0]?.x} to ${formatLoss(loss.at(-1)?.y)} at step ${loss.at(-1)?.x}; lowest ${formatLoss(Math.min(...loss.map((p) => p.y)))}.`}
              note={[
                nonFinite > 0
                  ? `${nonFinite} point${nonFinite === 1 ? "" : "s"} with a NaN or infinite loss not drawn.`
                  : "",
                thinned
                  ? `${job.progress.length} of ${job.progress_count} stored points shown.`
                  : "",
              ]
                .filter(Boolean)
                .join(" ")}
            />
          ) : (
            <p className="hint">The job reported steps but no finite loss to draw.</p>
          )}
          {rate.points.length > 1 ? (
            <LineChart
              id="rate-chart"
              title="Step rate over time"
              xLabel={`Time since the first point (${rate.unit})`}
              yLabel="Steps/min"
              points={rate.points}
              summary={`${rate.points.length} readings; latest ${Math.round(rate.points.at(-1)?.y ?? 0)} steps per minute.`}
            />
          ) : null}
        </div>
      )}
    </section>
  );
}

/**
 * Steps per minute against time since the first point, over at most 60
 * windows of consecutive points: a rate between two reports seconds apart is
 * mostly noise.
 */
function stepRate(progress: JobDetailJson["progress"]): { points: ChartPoint[]; unit: string } {
  const byTime = progress
    .map((p) => ({ step: p.step, t: Date.parse(p.at) }))
    .sort((a, b) => a.t - b.t);
  const t0 = byTime[0]?.t ?? 0;
  const span = ((byTime.at(-1)?.t ?? t0) - t0) / 60_000;
  const [unit, per] = span > 180 ? ["hours", 60] : ["minutes", 1];
  const windows = Math.min(60, byTime.length - 1);
  const points: ChartPoint[] = [];
  for (let w = 1; w <= windows; w++) {
    const a = byTime[Math.round(((w - 1) * (byTime.length - 1)) / windows)];
    const b = byTime[Math.round((w * (byTime.length - 1)) / windows)];
    if (!a || !b) continue;
    const minutes = (b.t - a.t) / 60_000;
    // A resumed run steps backwards; a burst within one millisecond has no rate.
    if (minutes <= 0 || b.step < a.step) continue;
    points.push({ x: (b.t - t0) / 60_000 / per, y: (b.step - a.step) / minutes });
  }
  return { points, unit };
}

/** The error tail of a failed job, and the log excerpt of an out-of-memory report. */
function Problems({ job }: { job: JobDetailJson }) {
  const oom = job.events.find((e) => e.type === "gpu_oom");
  const excerpt = oom && typeof oom.data.log_excerpt === "string" ? oom.data.log_excerpt : "";
  if (!job.error && !excerpt) return null;
  return (
    <section aria-labelledby="problems" className="stack">
      <h2 id="problems">What went wrong</h2>
      {excerpt ? (
        <>
          <h3 className="h4">Out of memory: the log around it</h3>
          <pre className="job-log">
            <code>{excerpt}</code>
          </pre>
        </>
      ) : null}
      {job.error ? (
        <>
          <h3 className="h4">Error (last lines)</h3>
          <pre className="job-log">
            <code>{tail(job.error)}</code>
          </pre>
        </>
      ) : null}
    </section>
  );
}

/** The end of an error, where a traceback says what went wrong: 40 lines, 6000 characters. */
function tail(text: string): string {
  const lines = text.split("\n");
  let out = lines.slice(-40).join("\n");
  if (out.length > 6000) out = `…${out.slice(-6000)}`;
  else if (lines.length > 40) out = `…\n${out}`;
  return out;
}

const EVENT_LABELS: Record<string, string> = {
  job_started: "Started",
  job_completed: "Completed",
  job_failed: "Failed",
  job_cancelled: "Cancelled",
  gpu_oom: "GPU out of memory",
  timeout_warning: "Stalled",
  disk_warning: "Disk almost full",
};

/** Events in order, each with the alert it raised and that alert's deliveries. */
function Timeline({
  job,
  zone,
  webhooks,
}: {
  job: JobDetailJson;
  zone: string;
  webhooks: Map<string, WebhookJson>;
}) {
  const alerts = new Map(job.alerts.map((a) => [a.id, a]));
  const shown = new Set<string>();
  type Entry = {
    key: string;
    at: string;
    label: string;
    event?: JobDetailJson["events"][number];
    alert?: JobDetailJson["alerts"][number];
  };
  const entries: Entry[] = job.events.map((e) => {
    const alert = e.alert_id ? alerts.get(e.alert_id) : undefined;
    if (alert) shown.add(alert.id);
    return {
      key: e.id,
      at: e.occurred_at,
      label: EVENT_LABELS[e.type] ?? typeLabel(e.type),
      event: e,
      alert,
    };
  });
  for (const a of job.alerts) {
    if (!shown.has(a.id)) {
      entries.push({
        key: a.id,
        at: a.created_at,
        label: typeLabel(a.alert_type),
        event: undefined,
        alert: a,
      });
    }
  }
  entries.sort((x, y) => x.at.localeCompare(y.at));
  return (
    <section aria-labelledby="timeline" className="stack">
      <h2 id="timeline">Timeline</h2>
      {entries.length === 0 ? (
        <p className="hint">Nothing has happened to this job yet.</p>
      ) : (
        <ol className="timeline">
          {entries.map(({ key, at, label, event, alert }) => (
            <li key={key} className="timeline-item">
              <div className="timeline-head">
                <strong>{label}</strong>{" "}
                <time dateTime={at} className="muted">
                  {formatWhen(at, zone)}
                </time>
              </div>
              {alert ? (
                <div className="timeline-alert">
                  <p>
                    Alert: {alert.title} <StatusBadge status={alert.status} />{" "}
                    <a href={`/alerts/history?job_id=${encodeURIComponent(job.id)}`}>in history</a>
                  </p>
                  {alert.deliveries.length > 0 ? (
                    <ul className="timeline-deliveries">
                      {alert.deliveries.map((d) => {
                        const hook = d.webhook_id ? webhooks.get(d.webhook_id) : undefined;
                        const channel =
                          d.channel === "email"
                            ? "Email"
                            : hook
                              ? `${hook.name} (${WEBHOOK_TYPE_LABELS[hook.webhook_type] ?? hook.webhook_type})`
                              : `${d.webhook_name ?? "Webhook"} (deleted)`;
                        return (
                          <li key={d.id}>
                            {channel}: <StatusBadge status={d.status} />
                            {d.attempts > 1 ? ` after ${d.attempts} attempts` : ""}
                            {d.last_error ? (
                              <span className="error-text"> {d.last_error}</span>
                            ) : null}
                          </li>
                        );
                      })}
                    </ul>
                  ) : (
                    <p className="hint">Sent nowhere.</p>
                  )}
                </div>
              ) : event?.outcome && event.outcome !== "alerted" ? (
                <p className="hint">No alert: {event.outcome.replaceAll("_", " ")}.</p>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

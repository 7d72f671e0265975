import { asLine, asNumber, formatDuration, formatLoss } from "./text";

/**
 * The data of a daily summary or weekly digest, as the scheduler stores it in
 * `alert_history.data` and the templates and email formatter read it back.
 * Reading is defensive (`readReport`): a row written by an older version, or
 * anything else, renders as a plain report instead of failing a delivery.
 */

export interface ReportStats {
  started: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Started before the period's end and not finished by then. */
  running: number;
  /** Training time inside the period (runs clipped to it), seconds. */
  training_seconds: number;
  /** Training time × GPUs, hours. */
  gpu_hours: number;
  ooms: number;
  stalls: number;
  disk_warnings: number;
  /** Jobs whose loss became NaN or infinite (loss_diverged). */
  diverged: number;
  alerts_sent: number;
  alerts_deferred: number;
  alerts_suppressed: number;
}

export interface ReportDay {
  /** Local date the day starts on, `YYYY-MM-DD`. */
  date: string;
  completed: number;
  failed: number;
  cancelled: number;
}

export interface ReportModel {
  model: string;
  runs: number;
  best_loss: number | null;
  /** Final losses of completed runs in the period, oldest first. */
  losses: number[];
}

export interface ReportFailure {
  job_id: string;
  model: string | null;
  /** The error's key line (errorHeadline), or null when the job gave none. */
  error: string | null;
  /** Local time, `YYYY-MM-DD HH:MM`. */
  finished_local: string;
}

export interface ReportDisk {
  path: string;
  percent: number | null;
}

export interface ReportData {
  kind: "daily" | "weekly";
  /** The zone the period is shown in. */
  timezone: string;
  /** Local send date `YYYY-MM-DD` (daily) or ISO week `2026-W10` (weekly). */
  label: string;
  /** Period bounds, local wall clock, `YYYY-MM-DDTHH:MM`. */
  start_local: string;
  end_local: string;
  totals: ReportStats;
  /** Weekly: the week before, for comparison. */
  previous?: ReportStats;
  /** Weekly: jobs by outcome on each of the seven days. */
  days?: ReportDay[];
  models: ReportModel[];
  /** Models with completed runs in all (the list keeps the busiest). */
  models_total: number;
  failures: ReportFailure[];
  disks: ReportDisk[];
}

export const STAT_KEYS = [
  "started",
  "completed",
  "failed",
  "cancelled",
  "running",
  "training_seconds",
  "gpu_hours",
  "ooms",
  "stalls",
  "disk_warnings",
  "diverged",
  "alerts_sent",
  "alerts_deferred",
  "alerts_suppressed",
] as const satisfies readonly (keyof ReportStats)[];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const count = (v: unknown) => Math.max(0, asNumber(v) ?? 0);

function readStats(v: unknown): ReportStats | undefined {
  if (!isObject(v)) return undefined;
  const stats = {} as ReportStats;
  for (const key of STAT_KEYS) stats[key] = count(v[key]);
  return stats;
}

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2})?$/;
const localStamp = (v: unknown) =>
  typeof v === "string" && LOCAL_DATE_TIME.test(v) ? v : undefined;

const list = (v: unknown, max: number): unknown[] => (Array.isArray(v) ? v.slice(0, max) : []);

/** The report in `data`, or undefined when `data` is not a report. Pure. */
export function readReport(data: Record<string, unknown>): ReportData | undefined {
  const totals = readStats(data.totals);
  const kind = data.kind === "weekly" ? "weekly" : data.kind === "daily" ? "daily" : undefined;
  if (!totals || !kind) return undefined;
  const report: ReportData = {
    kind,
    timezone: asLine(data.timezone) ?? "UTC",
    label: asLine(data.label)?.slice(0, 20) ?? "",
    start_local: localStamp(data.start_local) ?? "",
    end_local: localStamp(data.end_local) ?? "",
    totals,
    models: list(data.models, 20).flatMap((m) =>
      isObject(m)
        ? [
            {
              model: asLine(m.model)?.slice(0, 200) ?? "(unnamed model)",
              runs: count(m.runs),
              best_loss: asNumber(m.best_loss) ?? null,
              losses: list(m.losses, 50).flatMap((l) => {
                const n = asNumber(l);
                return n === undefined ? [] : [n];
              }),
            },
          ]
        : [],
    ),
    models_total: count(data.models_total),
    failures: list(data.failures, 20).flatMap((f) =>
      isObject(f)
        ? [
            {
              job_id: asLine(f.job_id)?.slice(0, 64) ?? "",
              model: asLine(f.model)?.slice(0, 200) ?? null,
              error: asLine(f.error)?.slice(0, 300) ?? null,
              finished_local: localStamp(f.finished_local) ?? "",
            },
          ]
        : [],
    ),
    disks: list(data.disks, 10).flatMap((d) => {
      const path = isObject(d) ? asLine(d.path) : undefined;
      return path && isObject(d)
        ? [{ path: path.slice(0, 300), percent: asNumber(d.percent) ?? null }]
        : [];
    }),
  };
  const previous = readStats(data.previous);
  if (previous) report.previous = previous;
  if (Array.isArray(data.days)) {
    report.days = list(data.days, 7).flatMap((d) => {
      const date = isObject(d) ? localStamp(d.date) : undefined;
      return date && isObject(d)
        ? [
            {
              date: date.slice(0, 10),
              completed: count(d.completed),
              failed: count(d.failed),
              cancelled: count(d.cancelled),
            },
          ]
        : [];
    });
  }
  return report;
}

/** Whether anything happened in the period (an idle period sends no report). */
export function hasActivity(s: ReportStats): boolean {
  return (
    s.started +
      s.completed +
      s.failed +
      s.cancelled +
      s.ooms +
      s.stalls +
      s.disk_warnings +
      s.diverged >
      0 || s.training_seconds > 0
  );
}

/**
 * Completed among the jobs that ended by themselves (completed or failed), as
 * a percentage; undefined when none did. A cancelled job was stopped by
 * someone, which says nothing about whether training works.
 */
export function successRate(s: ReportStats): number | undefined {
  const ended = s.completed + s.failed;
  return ended === 0 ? undefined : (100 * s.completed) / ended;
}

// ---------------------------------------------------------------------------
// Wording shared by the templates and the email layout.

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function parseLocal(stamp: string): { date: Date; time: string } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}:\d{2}))?$/.exec(stamp);
  if (!m) return undefined;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return Number.isNaN(date.getTime()) ? undefined : { date, time: m[4] ?? "" };
}

/** "2026-03-03" → "Tue 3 Mar"; anything else unchanged. */
export function dayLabel(stamp: string): string {
  const p = parseLocal(stamp);
  if (!p) return stamp;
  const d = p.date;
  return `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

/** "2026-03-03" → "Tue"; the weekday alone, for chart labels. */
export function weekdayLabel(stamp: string): string {
  const p = parseLocal(stamp);
  return p ? (WEEKDAYS[p.date.getUTCDay()] ?? "") : stamp;
}

/** "2026-03-03" → "3"; the day of the month, for chart labels. */
export function dayOfMonth(stamp: string): string {
  const p = parseLocal(stamp);
  return p ? String(p.date.getUTCDate()) : "";
}

/** "2026-03-03T09:00" → "09:00". */
export const timeOf = (stamp: string) => parseLocal(stamp)?.time ?? "";

/** "Mon 2 Mar 09:00 – Tue 3 Mar 09:00 (Asia/Kathmandu)". */
export function periodLabel(r: ReportData): string {
  const at = (s: string) => `${dayLabel(s.slice(0, 10))} ${timeOf(s)}`.trim();
  if (!r.start_local || !r.end_local) return r.timezone;
  return `${at(r.start_local)} – ${at(r.end_local)} (${r.timezone})`;
}

/** "3 completed, 1 failed, 1 cancelled" (zeros left out), or how many are running. */
export function outcomeWords(s: ReportStats): string {
  const parts = [
    s.completed > 0 ? `${s.completed} completed` : "",
    s.failed > 0 ? `${s.failed} failed` : "",
    s.cancelled > 0 ? `${s.cancelled} cancelled` : "",
  ].filter(Boolean);
  if (parts.length > 0) return parts.join(", ");
  if (s.running > 0) return `${s.running} ${s.running === 1 ? "job" : "jobs"} running`;
  return "no jobs finished";
}

/** 20.5 → "20.5"; 0.25 → "0.25"; 1234.56 → "1,235". */
export function formatGpuHours(hours: number): string {
  if (hours >= 100) return Math.round(hours).toLocaleString("en-US");
  if (hours >= 10) return String(Math.round(hours * 10) / 10);
  return String(Math.round(hours * 100) / 100);
}

/** Training time: "7h 45m", "0m" for none. */
export const formatTrainingTime = (seconds: number) =>
  seconds > 0 ? (formatDuration(seconds) ?? "0m") : "0m";

/** "75%"; "—" when no job ended. */
export function formatRate(s: ReportStats): string {
  const rate = successRate(s);
  return rate === undefined ? "—" : `${Math.round(rate)}%`;
}

/** "+3", "−2", "±0": the change from last week. */
export function formatChange(now: number, before: number, digits = 0): string {
  const diff = Math.round((now - before) * 10 ** digits) / 10 ** digits;
  if (diff === 0) return "±0";
  return diff > 0 ? `+${diff}` : `−${Math.abs(diff)}`;
}

/** "12 sent · 3 deferred · 2 suppressed". */
export const alertsWords = (s: ReportStats) =>
  `${s.alerts_sent} sent · ${s.alerts_deferred} deferred · ${s.alerts_suppressed} suppressed`;

/** "llama-8b 0.42" for the best run of a model. */
export const bestLossWords = (m: ReportModel) =>
  m.best_loss === null ? m.model : `${m.model} ${formatLoss(m.best_loss) ?? ""}`.trim();

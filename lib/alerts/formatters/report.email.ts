import {
  dayLabel,
  dayOfMonth,
  formatChange,
  formatGpuHours,
  formatRate,
  formatTrainingTime,
  type ReportData,
  type ReportDay,
  type ReportFailure,
  type ReportModel,
  type ReportStats,
  readReport,
  weekdayLabel,
} from "../templates/report-data";
import { formatLoss } from "../templates/text";
import type { AlertCard } from "./card";
import { truncate } from "./fit";

/**
 * The rich part of a report email: number tiles, a details table (with last
 * week beside this one in the digest), the digest's jobs-per-day chart, the
 * loss trend of each model, failures and disk warnings. Pictures are tables
 * of coloured cells with fixed heights — what Gmail, Outlook (Word's HTML
 * engine) and Apple Mail all render — no SVG, no images. The plain-text part
 * gets the same sections drawn with block characters. Pure.
 */
export interface ReportEmail {
  /** Rows for the card's table, in place of the generic facts. */
  html: string;
  /** Lines for the plain-text part, after the facts. */
  text: string[];
}

/** The report sections of a daily_summary or weekly_digest card; undefined for other cards. */
export function reportEmail(card: AlertCard): ReportEmail | undefined {
  if (card.type !== "daily_summary" && card.type !== "weekly_digest") return undefined;
  const r = readReport(card.data);
  if (!r) return undefined;
  return { html: renderHtml(r), text: renderText(r) };
}

const COLOR = { completed: "#16a34a", failed: "#dc2626", cancelled: "#d97706" } as const;
const OUTCOMES = ["completed", "failed", "cancelled"] as const;
const TREND = "#60a5fa";
const TREND_LAST = "#2563eb";
const BASELINE = "#e5e7eb";
const NEUTRAL = "#111827";
// The email formatter's stacks (Outlook on Windows falls back to Times without one).
const SANS = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const MONO = "ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace";

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
const n = (v: number) => String(Math.round(v));

// ---------------------------------------------------------------------------
// HTML

function renderHtml(r: ReportData): string {
  return [
    section(tiles(r), "20px"),
    section(details(r)),
    r.days && r.days.length > 0
      ? section(`${heading("Jobs per day")}${dayChart(r.days)}${legend()}`)
      : "",
    r.models.length > 0 ? section(`${heading("Loss by model")}${modelTable(r)}`) : "",
    r.failures.length > 0 ? section(`${heading("Failures")}${failureList(r)}`) : "",
    r.disks.length > 0 ? section(`${heading("Disk warnings")}${diskList(r)}`) : "",
  ].join("\n");
}

const section = (inner: string, top = "24px") =>
  `<tr><td class="px" style="padding:${top} 32px 0 32px;">${inner}</td></tr>`;

const heading = (text: string) =>
  `<p class="fg" style="margin:0 0 10px 0;font-family:${SANS};font-size:15px;line-height:20px;font-weight:700;color:#111827;">${esc(text)}</p>`;

const table = (rows: string, width = "100%") =>
  `<table role="presentation" width="${width}" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;">${rows}</table>`;

/**
 * A block of solid colour `height` px tall, as a table row: a cell with a
 * fixed line height that Outlook will not grow or shrink (inside a table of
 * the bar's width). Kept short: a report draws about a hundred of them.
 */
const block = (color: string, height: number) =>
  `<tr><td height="${height}" bgcolor="${color}" style="font-size:1px;line-height:${height}px;mso-line-height-rule:exactly;">&nbsp;</td></tr>`;

/** A bar: blocks stacked in a table `width` px wide. */
const bar = (blocks: string, width: number) =>
  `<table role="presentation" width="${width}" cellpadding="0" cellspacing="0" border="0" style="margin:0 auto;">${blocks}</table>`;

function tiles(r: ReportData): string {
  const t = r.totals;
  const p = r.previous;
  const tile = (label: string, value: string, color: string, note?: string) =>
    `<td width="25%" valign="top" style="width:25%;padding:0 3px;">
${table(`<tr><td class="rule" align="center" style="padding:10px 4px;border:1px solid #e5e7eb;border-radius:6px;font-family:${SANS};">
<div${color === NEUTRAL ? ' class="fg"' : ""} style="font-size:24px;line-height:30px;font-weight:700;color:${color};">${esc(value)}</div>
<div class="muted" style="font-size:12px;line-height:16px;color:#6b7280;">${esc(label)}</div>${
  note
    ? `\n<div class="muted" style="font-size:11px;line-height:15px;color:#6b7280;">${esc(note)}</div>`
    : ""
}
</td></tr>`)}
</td>`;
  const change = (key: keyof ReportStats) =>
    p ? `${formatChange(t[key], p[key])} vs last week` : undefined;
  return table(
    `<tr>
${tile("Completed", n(t.completed), COLOR.completed, change("completed"))}
${tile("Failed", n(t.failed), COLOR.failed, change("failed"))}
${tile("Cancelled", n(t.cancelled), COLOR.cancelled, change("cancelled"))}
${tile("Success rate", formatRate(t), NEUTRAL, p ? `${formatRate(p)} last week` : undefined)}
</tr>`,
  );
}

function details(r: ReportData): string {
  const t = r.totals;
  const p = r.previous;
  const rows: [string, string, string?][] = [
    ["Jobs started", n(t.started), p && n(p.started)],
    ["Still running at the end", n(t.running), p && n(p.running)],
    [
      "Training time",
      formatTrainingTime(t.training_seconds),
      p && formatTrainingTime(p.training_seconds),
    ],
    ["GPU-hours", formatGpuHours(t.gpu_hours), p && formatGpuHours(p.gpu_hours)],
    ["GPU out of memory", n(t.ooms), p && n(p.ooms)],
    ["Stalls", n(t.stalls), p && n(p.stalls)],
    ["Disk warnings", n(t.disk_warnings), p && n(p.disk_warnings)],
    ["Diverged losses (NaN/Inf)", n(t.diverged), p && n(p.diverged)],
    ["Alerts sent", n(t.alerts_sent), p && n(p.alerts_sent)],
    ["Alerts deferred (quiet hours)", n(t.alerts_deferred), p && n(p.alerts_deferred)],
    ["Alerts suppressed (rate limit)", n(t.alerts_suppressed), p && n(p.alerts_suppressed)],
  ];
  const cell = (text: string, first: boolean, opts: { label?: boolean; align?: string } = {}) =>
    `<td class="${opts.label ? "muted" : "fg"} rule" ${opts.align ? `align="${opts.align}" ` : ""}valign="top" style="padding:7px ${opts.label ? "12px" : "0"} 7px 0;${first ? "" : "border-top:1px solid #e5e7eb;"}font-family:${SANS};font-size:14px;line-height:20px;${opts.label ? "color:#6b7280;" : "font-weight:600;color:#111827;"}">${esc(text)}</td>`;
  const head = p
    ? `<tr><td></td><td class="muted" align="right" style="padding:0 0 4px 0;font-family:${SANS};font-size:12px;line-height:16px;color:#6b7280;">This week</td><td class="muted" align="right" style="padding:0 0 4px 0;font-family:${SANS};font-size:12px;line-height:16px;color:#6b7280;">Last week</td></tr>`
    : "";
  const body = rows
    .map(
      ([label, now, before], i) =>
        `<tr>${cell(label, i === 0, { label: true })}${cell(now, i === 0, { align: "right" })}${
          p ? cell(before ?? "", i === 0, { align: "right" }) : ""
        }</tr>`,
    )
    .join("\n");
  return table(`${head}\n${body}`);
}

/** Stacked bars, one per day: completed at the bottom, then failed, then cancelled. */
function dayChart(days: ReportDay[]): string {
  const MAX = 96;
  const BAR = 28;
  const total = (d: ReportDay) => d.completed + d.failed + d.cancelled;
  const most = Math.max(1, ...days.map(total));
  const width = `${Math.floor(100 / days.length)}%`;
  const bars = days
    .map((d) => {
      const segments = [...OUTCOMES]
        .reverse()
        .filter((o) => d[o] > 0)
        .map((o) => block(COLOR[o], Math.max(3, Math.round((d[o] / most) * MAX))))
        .join("");
      return `<td width="${width}" align="center" valign="bottom" style="height:${MAX + 20}px;vertical-align:bottom;padding:0 2px;">
<div class="fg" style="font-family:${SANS};font-size:12px;line-height:16px;font-weight:600;color:#111827;">${n(total(d))}</div>
${bar(segments || block(BASELINE, 2), BAR)}
</td>`;
    })
    .join("\n");
  const labels = days
    .map(
      (d) =>
        `<td class="muted rule" align="center" style="padding:6px 0 0 0;border-top:1px solid #d1d5db;font-family:${SANS};font-size:12px;line-height:16px;color:#6b7280;">${esc(weekdayLabel(d.date))}<br>${esc(dayOfMonth(d.date))}</td>`,
    )
    .join("");
  return table(`<tr>${bars}</tr>\n<tr>${labels}</tr>`);
}

function legend(): string {
  const item = (o: (typeof OUTCOMES)[number]) =>
    `<td width="10" height="10" bgcolor="${COLOR[o]}" style="width:10px;height:10px;background:${COLOR[o]};font-size:1px;line-height:10px;">&nbsp;</td><td class="muted" style="padding:0 14px 0 6px;font-family:${SANS};font-size:12px;line-height:16px;color:#6b7280;">${o}</td>`;
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin-top:10px;"><tr>${OUTCOMES.map(item).join("")}</tr></table>`;
}

/** A small bar per completed run, taller for a higher final loss: the trend reads left to right. */
function sparkline(losses: number[]): string {
  if (losses.length === 0) return "";
  const MAX = 28;
  const lo = Math.min(...losses);
  const hi = Math.max(...losses);
  const heightOf = (loss: number) =>
    hi === lo ? Math.round(MAX / 2) : 4 + Math.round(((loss - lo) / (hi - lo)) * (MAX - 4));
  const bars = losses
    .map((loss, i) => {
      const color = i === losses.length - 1 ? TREND_LAST : TREND;
      return `<td valign="bottom" style="padding:0 2px 0 0;">${bar(block(color, heightOf(loss)), 8)}</td>`;
    })
    .join("");
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;"><tr>${bars}</tr></table>`;
}

function modelTable(r: ReportData): string {
  const th = (text: string, align = "left") =>
    `<td class="muted" align="${align}" style="padding:0 8px 6px 0;font-family:${SANS};font-size:12px;line-height:16px;color:#6b7280;">${text}</td>`;
  const rows = r.models
    .map((m: ReportModel) => {
      const td = (inner: string, extra = "") =>
        `<td class="fg rule" valign="middle" style="padding:6px 8px 6px 0;border-top:1px solid #e5e7eb;font-family:${SANS};font-size:14px;line-height:20px;color:#111827;${extra}">${inner}</td>`;
      return `<tr>${td(esc(truncate(m.model, 60)), "font-weight:600;word-break:break-word;overflow-wrap:anywhere;")}${td(
        esc(m.best_loss === null ? "—" : (formatLoss(m.best_loss) ?? "—")),
        "text-align:right;white-space:nowrap;",
      )}${td(n(m.runs), "text-align:right;")}${td(sparkline(m.losses))}</tr>`;
    })
    .join("\n");
  const more =
    r.models_total > r.models.length
      ? `<p class="muted" style="margin:6px 0 0 0;font-family:${SANS};font-size:12px;line-height:16px;color:#6b7280;">and ${r.models_total - r.models.length} more ${r.models_total - r.models.length === 1 ? "model" : "models"}</p>`
      : "";
  return `${table(`<tr>${th("Model")}${th("Best loss", "right")}${th("Runs", "right")}${th("Final loss per run")}</tr>\n${rows}`)}${more}`;
}

function failureList(r: ReportData): string {
  const items = r.failures
    .map(
      (
        f,
        i,
      ) => `<tr><td class="rule" style="padding:8px 0;${i > 0 ? "border-top:1px solid #e5e7eb;" : ""}">
<p class="fg" style="margin:0;font-family:${SANS};font-size:14px;line-height:20px;color:#111827;"><strong>${esc(truncate(f.model ?? "Unnamed job", 80))}</strong> <span class="muted" style="color:#6b7280;">${esc(failedAt(r, f))}</span></p>
<p class="code" dir="ltr" style="margin:4px 0 0 0;padding:6px 10px;background:#f6f8fa;border:1px solid #e5e7eb;border-radius:4px;font-family:${MONO};font-size:12px;line-height:18px;color:#1f2937;word-break:break-word;overflow-wrap:anywhere;">${esc(f.error ?? "no error message")}</p>
</td></tr>`,
    )
    .join("\n");
  const more = r.totals.failed - r.failures.length;
  const tail =
    more > 0
      ? `<p class="muted" style="margin:6px 0 0 0;font-family:${SANS};font-size:12px;line-height:16px;color:#6b7280;">and ${n(more)} more</p>`
      : "";
  return `${table(items)}${tail}`;
}

/** When a job failed: the time in a daily summary, the day and time in a weekly digest. */
function failedAt(r: ReportData, f: ReportFailure): string {
  const time = f.finished_local.slice(11);
  if (!time) return f.finished_local;
  return r.kind === "weekly" ? `${dayLabel(f.finished_local.slice(0, 10))} ${time}` : time;
}

function diskList(r: ReportData): string {
  return table(
    r.disks
      .map(
        (d, i) =>
          `<tr><td class="fg rule" style="padding:6px 8px 6px 0;${i > 0 ? "border-top:1px solid #e5e7eb;" : ""}font-family:${MONO};font-size:13px;line-height:18px;color:#111827;word-break:break-all;">${esc(truncate(d.path, 120))}</td><td class="rule" align="right" style="padding:6px 0;${i > 0 ? "border-top:1px solid #e5e7eb;" : ""}font-family:${SANS};font-size:14px;line-height:18px;font-weight:600;color:#d97706;white-space:nowrap;">${d.percent === null ? "" : `${n(d.percent)}% full`}</td></tr>`,
      )
      .join("\n"),
  );
}

// ---------------------------------------------------------------------------
// Plain text

const SPARKS = "▁▂▃▄▅▆▇█";

function textSparkline(losses: number[]): string {
  const lo = Math.min(...losses);
  const hi = Math.max(...losses);
  return losses
    .map((l) => SPARKS[hi === lo ? 3 : Math.round(((l - lo) / (hi - lo)) * 7)] ?? "")
    .join("");
}

function renderText(r: ReportData): string[] {
  const lines: string[] = [];
  if (r.days && r.days.length > 0) {
    const most = Math.max(1, ...r.days.map((d) => d.completed + d.failed + d.cancelled));
    lines.push("", "Jobs per day (completed / failed / cancelled):");
    for (const d of r.days) {
      const total = d.completed + d.failed + d.cancelled;
      const bar = "█".repeat(Math.round((total / most) * 20));
      lines.push(
        `  ${weekdayLabel(d.date)} ${dayOfMonth(d.date).padStart(2)}  ${bar.padEnd(20)}  ${n(d.completed)} / ${n(d.failed)} / ${n(d.cancelled)}`,
      );
    }
  }
  if (r.models.length > 0) {
    lines.push("", "Loss by model (best; final loss per run, oldest first):");
    const width = Math.min(40, Math.max(...r.models.map((m) => truncate(m.model, 40).length)));
    for (const m of r.models) {
      const best = m.best_loss === null ? "—" : (formatLoss(m.best_loss) ?? "—");
      const runs = `${n(m.runs)} ${m.runs === 1 ? "run" : "runs"}`;
      const trend = m.losses.length > 1 ? `  ${textSparkline(m.losses)}` : "";
      lines.push(`  ${truncate(m.model, 40).padEnd(width)}  ${best.padStart(8)}  ${runs}${trend}`);
    }
    const more = r.models_total - r.models.length;
    if (more > 0) lines.push(`  and ${more} more`);
  }
  if (r.failures.length > 0) {
    lines.push("", "Failures:");
    for (const f of r.failures) {
      const at = failedAt(r, f);
      lines.push(`  ${at} ${f.model ?? "Unnamed job"}: ${f.error ?? "no error message"}`);
    }
    const more = r.totals.failed - r.failures.length;
    if (more > 0) lines.push(`  and ${n(more)} more`);
  }
  if (r.disks.length > 0) {
    lines.push("", "Disk warnings:");
    for (const d of r.disks)
      lines.push(`  ${d.path}${d.percent === null ? "" : ` ${n(d.percent)}% full`}`);
  }
  return lines;
}

import type { z } from "zod";
import type { jobDetailSchema, jobsPageSchema } from "@/lib/alerts";

export type JobsPageJson = z.output<typeof jobsPageSchema>;
export type JobListItemJson = JobsPageJson["items"][number];
export type JobDetailJson = z.output<typeof jobDetailSchema>;
export type LossJson = JobDetailJson["loss"];

const STATUS: Record<string, { label: string; tone: string }> = {
  queued: { label: "Queued", tone: "badge-muted" },
  running: { label: "Running", tone: "badge-info" },
  completed: { label: "Completed", tone: "badge-good" },
  failed: { label: "Failed", tone: "badge-bad" },
  cancelled: { label: "Cancelled", tone: "badge-warn" },
};

export function JobStatusBadge({ status }: { status: string }) {
  const s = STATUS[status] ?? { label: status, tone: "badge-muted" };
  return <span className={`badge ${s.tone}`}>{s.label}</span>;
}

/** "1 h 02 min", "4 min 05 s", "12 s"; "—" when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null) return "—";
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min`;
  if (m > 0) return `${m} min ${String(sec).padStart(2, "0")} s`;
  return `${sec} s`;
}

/** A loss for people: 4 significant digits, or NaN / ∞ as a diverged run reports them. */
export function formatLoss(loss: LossJson | undefined): string {
  if (loss == null) return "—";
  if (loss === "nan") return "NaN";
  if (loss === "inf") return "∞";
  if (loss === "-inf") return "−∞";
  return String(Number(loss.toPrecision(4)));
}

/** Step of total with a bar; the percentage only when the total is known. */
export function ProgressBar({ step, total }: { step: number | null; total: number | null }) {
  if (step == null && total == null) return <span className="muted">—</span>;
  const pct = total && total > 0 && step != null ? Math.min(100, (step / total) * 100) : undefined;
  const text = `${(step ?? 0).toLocaleString("en-US")}${total ? ` / ${total.toLocaleString("en-US")}` : ""}`;
  return (
    <span className="job-progress">
      {pct !== undefined ? (
        <progress max={100} value={pct} aria-label={`${pct.toFixed(0)}% of steps`}>
          {pct.toFixed(0)}%
        </progress>
      ) : null}
      <span className="job-progress-text">
        {text}
        {pct !== undefined ? ` (${pct.toFixed(pct < 10 && pct > 0 ? 1 : 0)}%)` : ""}
      </span>
    </span>
  );
}

export const jobHref = (id: string) => `/training/monitor?jobId=${encodeURIComponent(id)}`;

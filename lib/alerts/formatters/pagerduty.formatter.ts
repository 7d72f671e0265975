import { asLine, asNumber, errorTail } from "../templates/text";
import type { AlertCard } from "./card";
import { truncate } from "./fit";
import { cardView, linkUrl } from "./view";

/**
 * PagerDuty Events API v2 limits (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/):
 * `payload.summary` at most 1,024 characters, `dedup_key` at most 255;
 * `source` and `severity` are required; severity is one of critical, error,
 * warning, info. The whole event must stay under 512 KB; custom details are
 * capped far below that.
 */
export const PAGERDUTY_LIMITS = {
  summary: 1024,
  dedupKey: 255,
  source: 255,
  detail: 1000,
  errorTail: 4000,
} as const;

export type PagerDutySeverity = "critical" | "error" | "warning" | "info";

/** Alert types that open (or add to) an incident, and how bad each is. */
export const PAGERDUTY_TRIGGERS: Readonly<Record<string, PagerDutySeverity>> = {
  job_failed: "error",
  gpu_oom: "error",
  timeout_warning: "warning",
  disk_warning: "warning",
  // "Send test" proves the routing key; info pages nobody on default rules.
  test: "info",
};

/**
 * Alert types that close the job's incident: the job is no longer in trouble
 * (it finished, or a stalled job progresses again: stall_resolved).
 */
export const PAGERDUTY_RESOLVES: ReadonlySet<string> = new Set([
  "job_completed",
  "job_cancelled",
  "stall_resolved",
]);

export interface PagerDutyTrigger {
  /** Set by the channel from the webhook's secret; never part of what is formatted or logged. */
  routing_key?: string;
  event_action: "trigger";
  dedup_key: string;
  payload: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp?: string;
    component: string;
    class: string;
    custom_details: Record<string, string>;
  };
  links: { href: string; text: string }[];
  client: string;
  client_url: string;
}
export interface PagerDutyResolve {
  routing_key?: string;
  event_action: "resolve";
  dedup_key: string;
}
export type PagerDutyEvent = PagerDutyTrigger | PagerDutyResolve;

/**
 * The incident an alert belongs to: the job (`job:<id>`), so a flapping job is
 * one incident and its completion resolves it; a disk without a job by its
 * path (`disk:<path>`, hashed when too long for 255 characters).
 */
export function pagerDutyDedupKey(card: AlertCard): string {
  const jobId = card.jobId ? asLine(card.jobId) : undefined;
  const path = asLine(card.data.disk_path);
  const key = jobId
    ? `job:${jobId}`
    : path && card.type === "disk_warning"
      ? `disk:${path}`
      : `alert:${card.id}`;
  return boundedDedupKey(key);
}

/** A dedup key within PagerDuty's 255 characters: a longer one keeps its prefix and is hashed. */
export function boundedDedupKey(key: string): string {
  if (key.length <= PAGERDUTY_LIMITS.dedupKey) return key;
  const prefix = key.slice(0, key.indexOf(":") + 1);
  return `${prefix}fnv1a64:${fnv1a64(key)}`;
}

/** FNV-1a, 64 bits, as hex: a stable short name for a long key (no node:crypto; UI previews run this). */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, "0");
}

/**
 * A PagerDuty Events API v2 event for an alert, or undefined when the type
 * neither triggers nor resolves (job_started, notices): nothing is sent. Pure.
 */
export function formatPagerDuty(card: AlertCard): PagerDutyEvent | undefined {
  const dedup_key = pagerDutyDedupKey(card);
  if (PAGERDUTY_RESOLVES.has(card.type)) return { event_action: "resolve", dedup_key };
  const severity = severityOf(card);
  if (!severity) return undefined;
  const view = cardView(card);
  const L = PAGERDUTY_LIMITS;
  const url = linkUrl(card, view);
  const details: Record<string, string> = { alert_type: card.type };
  for (const f of view.facts) details[truncate(f.label, 100)] = truncate(f.value, L.detail);
  if (view.details) {
    const tail = errorTail(view.details.text, { maxChars: L.errorTail, maxLines: 60 });
    if (tail) details[view.details.label.toLowerCase()] = tail;
  }
  if (card.jobId) details.job_id = truncate(card.jobId, 200);
  if (view.hint) details.hint = view.hint;
  const createdAt = card.createdAt.getTime();
  return {
    event_action: "trigger",
    dedup_key,
    payload: {
      summary: truncate(`${view.title}: ${view.summary}`, L.summary),
      source: truncate(asLine(card.data.model_name) ?? "training-alerts", L.source),
      severity,
      ...(Number.isFinite(createdAt) ? { timestamp: card.createdAt.toISOString() } : {}),
      component: "training",
      class: card.type,
      custom_details: details,
    },
    links: [{ href: url, text: view.link.label }],
    client: "Training Alerts",
    client_url: card.appUrl,
  };
}

/** How bad an alert is for PagerDuty; undefined for a type that does not trigger. Pure. */
export function severityOf(card: Pick<AlertCard, "type" | "data">): PagerDutySeverity | undefined {
  // A disk that is all but full stops every job on it.
  if (card.type === "disk_warning" && (asNumber(card.data.disk_used_percent) ?? 0) >= 98)
    return "critical";
  return PAGERDUTY_TRIGGERS[card.type];
}

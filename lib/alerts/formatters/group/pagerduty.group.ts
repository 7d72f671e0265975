import type { GroupCard } from "../../grouping/group-card";
import { groupView } from "../../grouping/group-view";
import { truncate, utf8Length } from "../fit";
import {
  boundedDedupKey,
  PAGERDUTY_LIMITS,
  type PagerDutySeverity,
  type PagerDutyTrigger,
  severityOf,
} from "../pagerduty.formatter";

/** Bounds of a group's event, whatever the batch holds. */
export const PAGERDUTY_GROUP = {
  /** Members in `custom_details.alerts`; `omitted` counts the rest. */
  members: 50,
  /** Each member's name and key line. */
  name: 120,
  line: 300,
  /** Member links besides the history link (PagerDuty shows links on the incident). */
  links: 5,
  /**
   * The whole event in UTF-8 bytes: far below the Events API's 512 KB, as an
   * incident's details are read by a person at night, not parsed.
   */
  bytes: 32 * 1024,
} as const;

const truncateOrNull = (s: string | null | undefined) => (s ? truncate(s, 200) : null);

const SEVERITY_RANK: Record<PagerDutySeverity, number> = {
  info: 0,
  warning: 1,
  error: 2,
  critical: 3,
};

/** One member as the incident's details list it. */
export interface PagerDutyGroupMember {
  name: string;
  line?: string;
  job_id: string | null;
  url: string;
  at: string;
}

/** A group's trigger: the incident of the group, its members bounded in the details. */
export interface PagerDutyGroupTrigger extends Omit<PagerDutyTrigger, "payload"> {
  payload: Omit<PagerDutyTrigger["payload"], "custom_details"> & {
    custom_details: {
      alert_type: string;
      group: string | null;
      count: number;
      window_start: string;
      window_end: string;
      history_url: string;
      alerts: PagerDutyGroupMember[];
      omitted: number;
    };
  };
}

/**
 * The incident a group's messages belong to: the alert type and the group
 * label (`group:job_failed:lr-search`; without a label, `group:job_failed`),
 * the same in every window, so a burst that goes on updates one incident
 * instead of paging once per window. A routing key is one webhook's, so the
 * user and the destination are already implied. Pure.
 */
export const pagerDutyGroupDedupKey = (card: Pick<GroupCard, "type" | "label">) =>
  boundedDedupKey(`group:${card.type}${card.label ? `:${card.label}` : ""}`);

/**
 * A group message as one Events API v2 `trigger` (docs/destinations.md,
 * PagerDuty): the group's dedup key, the headline with count and type as
 * the summary (≤ 1,024 characters), the worst member's severity, the newest
 * members in `custom_details.alerts` (name, key line, job, link; `omitted`
 * counts the rest), and links to the history filtered to the group and to
 * the newest jobs. Undefined for a type PagerDuty does not trigger on (the
 * channel does not group those). Within PAGERDUTY_GROUP.bytes. Pure.
 */
export function formatPagerDutyGroup(card: GroupCard): PagerDutyGroupTrigger | undefined {
  const severities = card.members
    .map((m) => severityOf({ type: card.type, data: m.data }))
    .filter((s): s is PagerDutySeverity => s !== undefined);
  const fallback = severityOf({ type: card.type, data: {} });
  if (!fallback) return undefined;
  const severity = severities.reduce(
    (worst, s) => (SEVERITY_RANK[s] > SEVERITY_RANK[worst] ? s : worst),
    fallback,
  );
  const view = groupView(card, PAGERDUTY_GROUP.members);
  const windowEnd = card.windowEnd.getTime();

  const event: PagerDutyGroupTrigger = {
    event_action: "trigger",
    dedup_key: pagerDutyGroupDedupKey(card),
    payload: {
      summary: truncate(`${view.headline}: ${view.summary}`, PAGERDUTY_LIMITS.summary),
      source:
        truncate(card.label ?? "training-alerts", PAGERDUTY_LIMITS.source) || "training-alerts",
      severity,
      ...(Number.isFinite(windowEnd) ? { timestamp: card.windowEnd.toISOString() } : {}),
      component: "training",
      class: card.type,
      custom_details: {
        alert_type: card.type,
        group: card.label === null ? null : truncate(card.label, 300),
        count: view.total,
        window_start: card.windowStart.toISOString(),
        window_end: card.windowEnd.toISOString(),
        history_url: view.historyUrl,
        alerts: [],
        omitted: view.total,
      },
    },
    links: [{ href: view.historyUrl, text: `See all ${view.total} in history` }],
    client: "Training Alerts",
    client_url: card.appUrl,
  };

  const details = event.payload.custom_details;
  // `omitted` only shrinks: measured once at its largest.
  let size = utf8Length(JSON.stringify(event));
  for (const m of view.members) {
    const member: PagerDutyGroupMember = {
      name: truncate(m.name, PAGERDUTY_GROUP.name),
      ...(m.line ? { line: truncate(m.line, PAGERDUTY_GROUP.line) } : {}),
      job_id: truncateOrNull(card.members.find((c) => c.id === m.id)?.jobId),
      url: m.url,
      at: m.at.toISOString(),
    };
    const link =
      details.alerts.length < PAGERDUTY_GROUP.links
        ? { href: m.url, text: member.name }
        : undefined;
    const add =
      utf8Length(JSON.stringify(member)) + 1 + (link ? utf8Length(JSON.stringify(link)) + 1 : 0);
    if (size + add > PAGERDUTY_GROUP.bytes) break;
    details.alerts.push(member);
    if (link) event.links.push(link);
    size += add;
  }
  details.omitted = view.total - details.alerts.length;
  return event;
}

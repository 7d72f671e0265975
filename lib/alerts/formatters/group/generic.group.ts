import { GROUPING } from "../../alert.types";
import { type GroupCard, newestFirst } from "../../grouping/group-card";
import { groupHistoryPath } from "../../grouping/group-view";
import { truncate } from "../fit";

/** Bounds of a generic `alert.group` body, whatever the batch and its members' data hold. */
export const GENERIC_GROUP = {
  /** DESIGN.md §6: `data.alerts` holds up to 100 members; `data.omitted` counts the rest. */
  members: GROUPING.genericMaxMembers,
  /** Fields of a member's `data` kept, and each string value's length. */
  dataKeys: 40,
  value: 2000,
  /** The whole body in UTF-8 bytes: members past it are omitted, not cut. */
  bytes: 512 * 1024,
} as const;

export interface GenericGroupMember {
  alert_id: string;
  job_id: string | null;
  created_at: string;
  title: string;
  message: string;
  data: Record<string, unknown>;
}

export interface GenericGroupBody {
  type: "alert.group";
  timestamp: string;
  data: {
    group_id: string;
    alert_type: string;
    group: string | null;
    count: number;
    window_start: string;
    window_end: string;
    history_url: string;
    alerts: GenericGroupMember[];
    omitted: number;
  };
}

/** A member's data within bounds: strings cut, nested values kept only when small. */
function boundedData(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data).slice(0, GENERIC_GROUP.dataKeys)) {
    if (typeof v === "string") out[k] = truncate(v, GENERIC_GROUP.value);
    else if (v === null || typeof v === "number" || typeof v === "boolean") out[k] = v;
    else {
      const json = JSON.stringify(v);
      if (json !== undefined && json.length <= GENERIC_GROUP.value) out[k] = v;
    }
  }
  return out;
}

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

/**
 * A generic webhook's group message (DESIGN.md §6): `type: "alert.group"`,
 * the newest members in `data.alerts` (each shaped like a single alert's
 * fields, its data bounded), and `data.omitted` counting every member not
 * listed, so `alerts.length + omitted === count`. At most 100 members and
 * GENERIC_GROUP.bytes in all. Pure.
 */
export function formatGenericGroup(card: GroupCard): GenericGroupBody {
  const total = Math.max(card.total, card.members.length);
  const body: GenericGroupBody = {
    type: "alert.group",
    timestamp: card.windowEnd.toISOString(),
    data: {
      group_id: card.id,
      alert_type: card.type,
      group: card.label,
      count: total,
      window_start: card.windowStart.toISOString(),
      window_end: card.windowEnd.toISOString(),
      history_url: `${card.appUrl}${groupHistoryPath(card)}`,
      alerts: [],
      omitted: total,
    },
  };
  // `omitted` grows no longer than its digits: measured once at its largest.
  let size = bytes(JSON.stringify(body));
  for (const m of newestFirst(card.members).slice(0, GENERIC_GROUP.members)) {
    const member: GenericGroupMember = {
      alert_id: m.id,
      job_id: m.jobId,
      created_at: m.createdAt.toISOString(),
      title: truncate(m.title, GENERIC_GROUP.value),
      message: truncate(m.message, GENERIC_GROUP.value),
      data: boundedData(m.data),
    };
    const add = bytes(JSON.stringify(member)) + 1;
    if (size + add > GENERIC_GROUP.bytes) break;
    body.data.alerts.push(member);
    size += add;
  }
  body.data.omitted = total - body.data.alerts.length;
  return body;
}

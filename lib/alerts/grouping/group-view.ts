import { jobLink, modelName } from "../templates/facts";
import { isTemplateType, renderTemplate } from "../templates/index";
import type { AlertLevel } from "../templates/template.types";
import { asLine, errorHeadline, formatDuration } from "../templates/text";
import { type GroupCard, type GroupMemberCard, newestFirst } from "./group-card";
import { historyPath } from "./history-link";

/** One member as a group message lists it: what, why, where to look. */
export interface GroupMemberView {
  id: string;
  /** The model's name (or the disk path, or the job's short id). User text, not escaped. */
  name: string;
  /** The key line: the error's headline, or the alert's main facts. User text, not escaped. */
  line?: string;
  /** Absolute link to the member's job (or history). */
  url: string;
  at: Date;
}

/**
 * A group message before any platform formatting. Unlike a single alert's
 * headline, this one carries user text (the group label): formatters
 * escape it like any other user text.
 */
export interface GroupView {
  /** "❌ 37 training jobs failed — sweep lr-search". */
  headline: string;
  level: AlertLevel;
  /** One sentence: how many, over how long, newest first. */
  summary: string;
  /** The newest members given (as many as asked for), newest first. */
  members: GroupMemberView[];
  total: number;
  /** Absolute link to the history filtered to this group. */
  historyUrl: string;
}

type Phrase = { emoji: string; one: string; many: string; level: AlertLevel };

/** "N training jobs failed" per type; a type not listed still reads well. */
const PHRASES: Record<string, Phrase> = {
  job_failed: {
    emoji: "❌",
    one: "training job failed",
    many: "training jobs failed",
    level: "failure",
  },
  job_completed: {
    emoji: "✅",
    one: "training job completed",
    many: "training jobs completed",
    level: "success",
  },
  job_started: {
    emoji: "🚀",
    one: "training job started",
    many: "training jobs started",
    level: "info",
  },
  job_cancelled: {
    emoji: "⏹️",
    one: "training job cancelled",
    many: "training jobs cancelled",
    level: "warning",
  },
  gpu_oom: {
    emoji: "💥",
    one: "GPU out-of-memory error",
    many: "GPU out-of-memory errors",
    level: "failure",
  },
  disk_warning: { emoji: "💾", one: "disk warning", many: "disk warnings", level: "warning" },
  timeout_warning: {
    emoji: "⏳",
    one: "training job stalled",
    many: "training jobs stalled",
    level: "warning",
  },
  loss_diverged: {
    emoji: "📉",
    one: "training loss diverged",
    many: "training losses diverged",
    level: "failure",
  },
};

const phraseOf = (type: string): Phrase =>
  PHRASES[type] ?? {
    emoji: "🔔",
    one: `alert (${type})`,
    many: `alerts (${type})`,
    level: "info",
  };

/** "❌ 37 training jobs failed — sweep lr-search". Pure. */
export function groupHeadline(type: string, count: number, label: string | null): string {
  const p = phraseOf(type);
  return `${p.emoji} ${count} ${count === 1 ? p.one : p.many}${label ? ` — sweep ${label}` : ""}`;
}

/** The history filtered to a group: its label and type (with no label: the type since the window opened). */
export const groupHistoryPath = (card: Pick<GroupCard, "type" | "label" | "windowStart">) =>
  historyPath({
    group: card.label,
    alertType: card.type,
    ...(card.label ? {} : { since: card.windowStart }),
  });

/** The name a member goes by: its model, its disk, or its job. */
function memberName(m: GroupMemberCard): string {
  const model = modelName(m.data);
  if (model) return model;
  const path = asLine(m.data.disk_path);
  if (path) return path;
  if (m.jobId) return `Job ${m.jobId.slice(0, 8)}`;
  return asLine(m.title) ?? "Alert";
}

/** The error's headline when there is one, else the alert's main facts (not its model). */
function memberLine(type: string, m: GroupMemberCard): string | undefined {
  const error = errorHeadline(m.data.error) ?? errorHeadline(m.data.log_excerpt);
  if (error) return error;
  if (!isTemplateType(type)) return asLine(m.message);
  const facts = renderTemplate(type, m.data, m.jobId)
    .facts.filter((f) => f.label !== "Model" && f.label !== "Path")
    .slice(0, 3)
    .map((f) => `${f.label}: ${f.value}`);
  return facts.length > 0 ? facts.join(" · ") : undefined;
}

/**
 * The platform-neutral view of a group message, with the newest `listed`
 * members rendered (a formatter lists no more; reading a 50 KB traceback's
 * headline for members nobody sees costs time, not safety). Pure.
 */
export function groupView(card: GroupCard, listed = Number.POSITIVE_INFINITY): GroupView {
  const p = phraseOf(card.type);
  const total = Math.max(card.total, card.members.length);
  const span = (card.windowEnd.getTime() - card.windowStart.getTime()) / 1000;
  const within = formatDuration(span);
  const members = newestFirst(card.members)
    .slice(0, listed)
    .map((m) => {
      const line = memberLine(card.type, m);
      return {
        id: m.id,
        name: memberName(m),
        ...(line ? { line } : {}),
        url: `${card.appUrl}${jobLink(m.jobId).path}`,
        at: m.createdAt,
      };
    });
  return {
    headline: groupHeadline(card.type, total, card.label),
    level: p.level,
    summary: `${total} ${total === 1 ? p.one : p.many}${within ? ` within ${within}` : ""}, grouped into one message; the newest first.`,
    members,
    total,
    historyUrl: `${card.appUrl}${groupHistoryPath(card)}`,
  };
}

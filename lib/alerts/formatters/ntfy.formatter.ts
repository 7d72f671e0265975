import type { AlertLevel } from "../templates/template.types";
import { asLine, errorTail } from "../templates/text";
import type { AlertCard } from "./card";
import { truncate, truncateBytes, utf8Length } from "./fit";
import { cardView, linkUrl } from "./view";

/**
 * ntfy limits (https://docs.ntfy.sh/publish/#limitations and
 * https://docs.ntfy.sh/config/ `message-size-limit`): a message body over
 * 4,096 bytes becomes an attachment, so the message stays within 4,096 UTF-8
 * bytes. ntfy documents no title limit; 250 keeps a notification readable.
 */
export const NTFY_LIMITS = { messageBytes: 4096, title: 250, actionLabel: 40 } as const;

/**
 * Priorities (https://docs.ntfy.sh/publish/#message-priority): 1 min, 3
 * default, 4 high, 5 max. Failures and OOM are high; everything else default.
 */
export const NTFY_PRIORITY: Record<AlertLevel, 3 | 4> = {
  failure: 4,
  warning: 3,
  success: 3,
  info: 3,
};

/** Tags that ntfy shows as emoji before the title (https://docs.ntfy.sh/emojis/). */
const TAGS: Record<string, string> = {
  job_started: "rocket",
  job_completed: "white_check_mark",
  job_failed: "x",
  job_cancelled: "stop_button",
  gpu_oom: "boom",
  disk_warning: "floppy_disk",
  timeout_warning: "hourglass_flowing_sand",
  loss_diverged: "chart_with_downwards_trend",
  test: "bell",
  webhook_disabled: "no_entry",
  rate_limit_notice: "mute",
  stall_resolved: "arrow_forward",
};

export interface NtfyPayload {
  /** Set by the channel from the webhook's URL (JSON publishing posts to the server root). */
  topic?: string;
  title: string;
  message: string;
  priority: 3 | 4;
  tags: string[];
  click: string;
  actions: [{ action: "view"; label: string; url: string; clear: true }];
}

/** The emoji tag of an alert type. */
export const ntfyTag = (type: string): string => TAGS[type] ?? "bell";

/** A leading emoji (the headline's) that the tag already shows. */
export const LEADING_EMOJI =
  /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator})(?:\uFE0F|\u200D|\p{Extended_Pictographic})*\s*/u;

/**
 * An ntfy JSON publish body (https://docs.ntfy.sh/publish/#publish-as-json):
 * the history title (its emoji as a tag), a plain-text message with the
 * summary, the facts and the error's tail, priority by level, and both a
 * click target and a "View Details" action. Markdown is off, so user text
 * needs no escaping: ntfy shows it as text. Within limits for any input. Pure.
 */
export function formatNtfy(card: AlertCard): NtfyPayload {
  const view = cardView(card);
  const L = NTFY_LIMITS;
  const url = linkUrl(card, view);
  const jobId = card.jobId ? asLine(card.jobId) : undefined;

  const footer = jobId ? `\nJob ID: ${truncate(jobId, 200)}` : "";
  const hint = view.hint ? `\n\n💡 ${truncate(view.hint, 300)}` : "";
  let room = L.messageBytes - utf8Length(footer) - utf8Length(hint);
  let message = truncateBytes(view.summary, Math.min(1000, room));
  room -= utf8Length(message);
  for (const f of view.facts) {
    const line = `\n${f.label}: `;
    const budget = Math.min(600, room - utf8Length(line));
    if (budget < 10) break;
    const piece = line + truncateBytes(f.value, budget);
    message += piece;
    room -= utf8Length(piece);
  }
  if (view.details && room > 80) {
    const label = `\n\n${view.details.label}:\n`;
    const tail = bytesTail(view.details.text, room - utf8Length(label));
    if (tail) message += label + tail;
  }
  message += hint + footer;

  const title = view.title.replace(LEADING_EMOJI, "") || view.headline;
  return {
    title: truncate(title, L.title),
    message:
      utf8Length(message) <= L.messageBytes ? message : truncateBytes(message, L.messageBytes),
    priority: NTFY_PRIORITY[view.level],
    tags: [ntfyTag(card.type)],
    click: url,
    actions: [
      { action: "view", label: truncate(view.link.label, L.actionLabel), url, clear: true },
    ],
  };
}

/** The error's informative tail in at most `maxBytes` UTF-8 bytes. */
function bytesTail(raw: string, maxBytes: number): string {
  let chars = maxBytes;
  while (chars >= 20) {
    const tail = errorTail(raw, { maxChars: chars, maxLines: 30 });
    if (tail === undefined) return "";
    if (utf8Length(tail) <= maxBytes) return tail;
    chars -= Math.max(1, Math.ceil((utf8Length(tail) - maxBytes) / 2));
  }
  return "";
}

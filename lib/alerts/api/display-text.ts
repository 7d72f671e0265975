import { z } from "zod";

/**
 * Display fields (names, errors, paths, excerpts) never cost an alert
 * (DESIGN.md §6): any string is accepted, up to the 64 KiB body limit, and
 * stored cut to `max` characters with an ellipsis. Only identifiers, types
 * and numbers are refused. Formatters cut further for their platforms.
 */
export const displayText = (max: number, keep: "start" | "ends" = "start") =>
  z
    .string({ error: "must be a string" })
    .transform((s) => (keep === "ends" ? capMiddle(s, max) : capText(s, max)))
    .describe(`Any length is accepted; stored cut to ${max} characters`);

/**
 * For error text and logs, whose end says what went wrong: keeps the first
 * tenth and the end, with "…" between.
 */
export function capMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = capText(text, Math.floor(max / 10));
  let start = text.length - (max - head.length);
  const first = text.charCodeAt(start);
  if (first >= 0xdc00 && first <= 0xdfff) start += 1;
  return `${head}${text.slice(start)}`;
}

/** `text` cut to at most `max` UTF-16 units, ending in "…" when cut, never inside a surrogate pair. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** Caps, in characters, of the display fields producers send. */
export const DISPLAY_CAPS = {
  /** model_name, and other names. */
  name: 1000,
  /** error text and log excerpts: a traceback's informative tail fits. */
  error: 20_000,
  /** disk_path. */
  path: 4096,
  /** One log line. */
  logLine: 16_384,
} as const;

import { errorTail } from "../templates/text";

/**
 * Fitting text into platform limits. Lengths are UTF-16 code units (what
 * `String.length` counts): never fewer than the characters or code points a
 * platform counts, so a text that fits here fits there.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Cuts text to at most `max` units with an ellipsis, between graphemes (emoji stay whole). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return "";
  const limit = max - 1;
  // Only graphemes near the cut matter: segment a window around it, not 50 KB.
  const from = Math.max(0, limit - 64);
  let end = from;
  for (const { index, segment } of graphemes.segment(text.slice(from, limit + 32))) {
    if (from + index + segment.length > limit) break;
    end = from + index + segment.length;
  }
  // A window start inside a surrogate pair would leave half of it behind.
  if (end === from && /[\udc00-\udfff]/.test(text[end] ?? "")) end = Math.max(0, end - 1);
  return `${text.slice(0, end)}…`;
}

/**
 * Escapes user text for a platform and fits the result in `max` units,
 * cutting the raw text (never an escape sequence) with an ellipsis.
 */
export function fitEscaped(raw: string, max: number, esc: (s: string) => string): string {
  let candidate = esc(raw);
  let keep = Math.min(raw.length, max);
  while (candidate.length > max && keep > 0) {
    candidate = esc(truncate(raw, keep));
    keep -= Math.max(1, candidate.length - max);
  }
  return candidate.length <= max ? candidate : "";
}

/** Backticks in user text would close a code block early; this look-alike cannot. */
export const defuseBackticks = (s: string) => s.replace(/`/g, "\u02cb");

/**
 * An error's informative tail (errorTail) in a ``` code block, escaped, in
 * at most `max` units including the fences. Empty when not even a line fits.
 */
export function codeBlock(
  raw: string,
  max: number,
  esc: (s: string) => string,
  maxLines = 40,
): string {
  const fence = (s: string) => `\`\`\`\n${s}\n\`\`\``;
  let budget = max - fence("").length;
  while (budget >= 10) {
    const tail = errorTail(raw, { maxChars: budget, maxLines });
    if (tail === undefined) return "";
    const block = fence(esc(defuseBackticks(tail)));
    if (block.length <= max) return block;
    budget -= Math.max(1, block.length - max);
  }
  return "";
}

/**
 * UTF-8 bytes of a string, as platforms that limit bytes (ntfy, Teams) count
 * them; a lone surrogate counts 3 (it is sent as U+FFFD). No Buffer: the UI
 * previews run formatters in the browser.
 */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** Cuts text to at most `maxBytes` UTF-8 bytes with an ellipsis, between graphemes. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  // A UTF-16 unit takes at most 3 bytes, so this start is never too short by much.
  let keep = Math.min(text.length, maxBytes);
  let out = truncate(text, keep);
  while (keep > 0 && utf8Length(out) > maxBytes) {
    keep -= Math.max(1, Math.ceil((utf8Length(out) - maxBytes) / 3));
    out = truncate(text, keep);
  }
  return utf8Length(out) <= maxBytes ? out : "";
}

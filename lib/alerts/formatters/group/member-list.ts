import type { GroupMemberView } from "../../grouping/group-view";
import { fitEscaped, truncate } from "../fit";

/**
 * Member lines (each with its own leading separator, in order) added to
 * `head` while the text, with the "+K more" line for whatever is left
 * unlisted, stays within `max` as `size` measures it (characters, or bytes
 * where a platform counts bytes). Every group formatter lists this way, so
 * a batch of any size fits and every member is listed or counted. Pure.
 */
export function packMembers(input: {
  head: string;
  lines: readonly string[];
  total: number;
  more: (k: number) => string;
  max: number;
  size?: (s: string) => number;
}): { text: string; listed: number } {
  const size = input.size ?? ((s: string) => s.length);
  // "+K more" is measured at its largest K: it only gets shorter.
  const reserve = size(input.more(input.total));
  let text = input.head;
  let used = size(text);
  let listed = 0;
  for (const line of input.lines) {
    const add = size(line);
    const room = input.total - listed - 1 > 0 ? reserve : 0;
    if (used + add + room > input.max) break;
    text += line;
    used += add;
    listed++;
  }
  const more = input.total - listed;
  return { text: more > 0 ? text + input.more(more) : text, listed };
}

/** A member's name and key line, cut and escaped for a platform (each at most `grow` × its cut length once escaped). */
export function escapedMember(
  m: GroupMemberView,
  limits: { name: number; line: number },
  esc: (s: string) => string,
  grow: number,
): { name: string; line?: string } {
  const name = fitEscaped(truncate(m.name, limits.name), limits.name * grow, esc) || "—";
  if (!m.line) return { name };
  return { name, line: fitEscaped(truncate(m.line, limits.line), limits.line * grow, esc) };
}

/** A URL inside a markdown `(…)`: parentheses percent-encoded, so it cannot end the link early. */
export const markdownUrl = (url: string) => url.replace(/\(/g, "%28").replace(/\)/g, "%29");

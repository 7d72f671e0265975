/** Small text helpers shared by the templates. Pure. */

/** 9240 → "2h 34m"; 45 → "45s"; 2700 → "45m". */
export function formatDuration(seconds: unknown): string | undefined {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) return undefined;
  const s = Math.round(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m`;
  return `${s % 60}s`;
}

/** 0.34217 → "0.342"; 1234.5 → "1234.5"; 0.00001234 → "1.23e-5". */
export function formatLoss(loss: unknown): string | undefined {
  if (typeof loss !== "number" || !Number.isFinite(loss)) return undefined;
  if (loss !== 0 && Math.abs(loss) < 0.001) return loss.toExponential(2);
  return String(Number(loss.toPrecision(4)));
}

/** "5000/5000", "1200/5000" or "1200". */
export function formatSteps(current: unknown, total: unknown): string | undefined {
  const c = typeof current === "number" && Number.isFinite(current) ? current : undefined;
  const t = typeof total === "number" && Number.isFinite(total) ? total : undefined;
  if (c === undefined && t === undefined) return undefined;
  if (t === undefined) return String(c);
  return `${c ?? 0}/${t}`;
}

/** 91.6 → "92%". */
export function formatPercent(value: unknown): string | undefined {
  return typeof value === "number" && Number.isFinite(value) ? `${Math.round(value)}%` : undefined;
}

/** A finite number from event data, or undefined. */
export const asNumber = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;

// Controls that reorder text (bidi overrides, embeddings, isolates) let a
// model name disguise what surrounds it; other C0/C1 controls render as junk.
// Ordinary right-to-left text needs none of them and is kept.
const UNSAFE_CONTROLS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/**
 * User text made safe to show anywhere: no ANSI colours, no control or
 * bidi-override characters, no broken surrogate pairs; newlines kept.
 */
export function cleanText(text: string): string {
  return (
    text
      .replace(ANSI, "")
      .replace(/\r\n/g, "\n")
      .split("\n")
      // A lone \r is a progress bar redrawing its line (tqdm): keep what was drawn last.
      .map((line) => {
        const drawn = line.replace(/\r+$/, "");
        return drawn.slice(drawn.lastIndexOf("\r") + 1);
      })
      .join("\n")
      .replace(LONE_SURROGATE, "\uFFFD")
      .replace(UNSAFE_CONTROLS, "")
  );
}

/** Non-empty user text from event data, cleaned (see cleanText), or undefined. */
export const asText = (value: unknown): string | undefined => {
  if (typeof value !== "string") return undefined;
  const text = cleanText(value);
  return text.trim() === "" ? undefined : text;
};

/** Like asText, on one line: names and paths never break a layout. */
export const asLine = (value: unknown): string | undefined => {
  const text = asText(value);
  return text === undefined ? undefined : text.replace(/\s+/g, " ").trim();
};

// The line that names the exception. Python prints it unindented after the
// frames ("torch.OutOfMemoryError: CUDA out of memory. …"); torchrun prefixes
// "[rank0]: "; C++ aborts say "terminate called after throwing …".
const EXCEPTION_LINE =
  /^\s*(?:\[rank\d+\]:\s*)?(?:(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Exit|Interrupt|Failure|Fault)\b(?::|\s*$)|terminate called after throwing)/;
// Lines that say what went wrong when there is no Python exception line.
const FAILURE_LINE =
  /out of memory|CUDA error|NCCL error|Segmentation fault|core dumped|\bKilled\b|\bOOM\b|fatal error/i;
const FRAME_START = /^\s*(?:\[rank\d+\]:\s*)?File "/;
const TRACEBACK_START = /Traceback \(most recent call last\):/;

function errorLines(error: unknown): string[] | undefined {
  const text = asText(error);
  if (!text) return undefined;
  const lines = text.split("\n").map((l) => l.replace(/\s+$/, "").replace(/\t/g, "    "));
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  while (lines.length > 0 && lines[0] === "") lines.shift();
  return lines.length > 0 ? lines : undefined;
}

/** Where the error says what it is: the last exception line, else the last failure line, else the end. */
function anchorOf(lines: string[]): number {
  const last = (test: RegExp) => {
    for (let i = lines.length - 1; i >= 0; i--) if (test.test(lines[i] ?? "")) return i;
    return -1;
  };
  const exception = last(EXCEPTION_LINE);
  if (exception >= 0) return exception;
  const failure = last(FAILURE_LINE);
  return failure >= 0 ? failure : lines.length - 1;
}

/**
 * What went wrong, in a few words: the exception line ("torch.OutOfMemoryError:
 * CUDA out of memory."), cut after its first sentence when it goes on
 * ("Tried to allocate 2.00 GiB. GPU 0 has …"), at most `maxChars`.
 */
export function errorHeadline(error: unknown, maxChars = 120): string | undefined {
  const lines = errorLines(error);
  if (!lines) return undefined;
  const line = (lines[anchorOf(lines)] ?? "")
    .replace(/^\s*\[rank\d+\]:\s*/, "")
    .replace(/\s+/g, " ")
    .trim();
  if (line.length > 80) {
    const sentence = /^\S+: .*?[.!?](?=\s)/.exec(line)?.[0];
    if (sentence && sentence.length >= 20 && sentence.length <= maxChars) return sentence;
  }
  return clipEnd(line, maxChars);
}

/** Keeps the start of a line: "ValueError: a very long mess…". */
function clipEnd(line: string, max: number): string {
  if (line.length <= max) return line;
  const cut = Math.max(0, max - 1);
  // Never leave half a surrogate pair behind.
  const end = /[\ud800-\udbff]/.test(line[cut - 1] ?? "") ? cut - 1 : cut;
  return `${line.slice(0, end)}…`;
}

export interface ErrorTailOptions {
  /** Characters in the result, newlines and "…" markers included. Default 1500. */
  maxChars?: number;
  /** Lines in the result, "…" markers included; at least 4. Default 12. */
  maxLines?: number;
}

/**
 * The informative part of an error. Tracebacks and CUDA messages put what
 * went wrong at the end, so this keeps, in order of importance:
 * 1. the exception line (or, without one, the last line that looks like a
 *    failure, or the last line), never dropped, cut at its end if huge;
 * 2. the lines after it (the rest of a multi-line message, up to a third of
 *    the room) and the very last line;
 * 3. as many lines just before it (the innermost frames) as fit, starting at
 *    a `File "…"` line when there is one;
 * 4. the `Traceback (most recent call last):` line, when it fits.
 * Dropped stretches show as a "…" line. The result is at most `maxChars`
 * long and `maxLines` lines, whatever the input (50 KB tracebacks, one
 * 50 KB line, log noise after the exception).
 */
export function errorTail(error: unknown, options: ErrorTailOptions = {}): string | undefined {
  const maxChars = Math.max(1, options.maxChars ?? 1500);
  const maxLines = Math.max(4, options.maxLines ?? 12);
  const lines = errorLines(error);
  if (!lines) return undefined;
  const whole = lines.join("\n");
  if (lines.length <= maxLines && whole.length <= maxChars) return whole;

  const anchor = anchorOf(lines);
  // No line may take more than this much room; the exception line gets more.
  const lineCap = Math.max(20, Math.floor(maxChars / 4));
  const kept = new Map<number, string>();
  let used = 0;
  // Room for up to three "…" lines (start, middle, end).
  const reserve = 6;
  const fits = (text: string, limit = maxChars) =>
    used + text.length + 1 + reserve <= limit && kept.size + 3 < maxLines;
  const keep = (i: number, text: string) => {
    kept.set(i, text);
    used += text.length + 1;
  };

  keep(anchor, clipEnd(lines[anchor] ?? "", Math.max(1, Math.floor(maxChars * 0.6))));

  // The rest of the exception's message, then the last line of the output.
  const afterLimit = used + Math.floor((maxChars - used) / 3);
  for (let i = anchor + 1; i < lines.length; i++) {
    const text = clipEnd(lines[i] ?? "", lineCap);
    if (!fits(text, afterLimit)) break;
    keep(i, text);
  }
  const lastIndex = lines.length - 1;
  if (!kept.has(lastIndex)) {
    const text = clipEnd(lines[lastIndex] ?? "", lineCap);
    if (fits(text)) keep(lastIndex, text);
  }

  // The traceback's first line says what the frames are; keep room for it.
  let header = -1;
  for (let i = anchor - 1; i >= 0; i--) {
    if (TRACEBACK_START.test(lines[i] ?? "")) {
      header = i;
      break;
    }
  }
  const headerText = header >= 0 ? clipEnd(lines[header] ?? "", lineCap) : "";
  const headerRoom = header >= 0 ? headerText.length + 1 : 0;

  // The innermost frames, walking back from the exception.
  let earliest = anchor;
  for (let i = anchor - 1; i > header; i--) {
    const text = clipEnd(lines[i] ?? "", lineCap);
    if (!fits(text, maxChars - headerRoom) || (header >= 0 && kept.size + 4 >= maxLines)) break;
    keep(i, text);
    earliest = i;
  }
  // Start at a frame's `File "…"` line rather than halfway through a frame.
  if (earliest > header + 1 && earliest < anchor) {
    let firstFrame = -1;
    for (let i = earliest; i < anchor; i++) {
      if (FRAME_START.test(lines[i] ?? "")) {
        firstFrame = i;
        break;
      }
    }
    for (let i = earliest; firstFrame > 0 && i < firstFrame; i++) {
      used -= (kept.get(i)?.length ?? 0) + 1;
      kept.delete(i);
    }
  }
  if (header >= 0 && fits(headerText)) keep(header, headerText);

  const indices = [...kept.keys()].sort((a, b) => a - b);
  const out: string[] = [];
  let previous = -1;
  for (const i of indices) {
    if (i !== previous + 1) out.push("…");
    out.push(kept.get(i) ?? "");
    previous = i;
  }
  if (previous !== lastIndex) out.push("…");
  const result = out.join("\n");
  // Belt and braces for tiny budgets: the end matters most.
  if (result.length <= maxChars) return result;
  let start = result.length - maxChars + 1;
  if (/[\udc00-\udfff]/.test(result[start] ?? "")) start++;
  return `…${result.slice(start)}`;
}

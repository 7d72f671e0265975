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
  const c = typeof current === "number" ? current : undefined;
  const t = typeof total === "number" ? total : undefined;
  if (c === undefined && t === undefined) return undefined;
  if (t === undefined) return String(c);
  return `${c ?? 0}/${t}`;
}

export const asText = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value : undefined;

/**
 * The informative part of an error: tracebacks and CUDA messages put the
 * exception at the end, so keep the last lines (and the exception line).
 */
export function errorTail(error: unknown, maxLines = 12, maxChars = 1500): string | undefined {
  const text = asText(error);
  if (!text) return undefined;
  const lines = text.replace(/\r\n?/g, "\n").trimEnd().split("\n");
  let tail = lines.slice(-maxLines);
  const exceptionLine = [...lines]
    .reverse()
    .find((l) => /^\s*[\w.]*(Error|Exception)\b.*:/.test(l));
  if (exceptionLine && !tail.includes(exceptionLine)) tail = [exceptionLine, "…", ...tail.slice(2)];
  let out = tail.join("\n");
  if (out.length > maxChars) out = `…${out.slice(out.length - maxChars + 1)}`;
  return lines.length > tail.length ? `…\n${out}` : out;
}

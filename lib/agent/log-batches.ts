/** Most lines one `POST /logs` may carry (the API's limit). */
export const MAX_BATCH_LINES = 1000;
/** Most bytes of JSON one batch may take: under the API's 64 KiB body limit, with room to spare. */
export const MAX_BATCH_BYTES = 60_000;
/** Longest line the API accepts is 16384 characters. */
export const MAX_LINE_CHARS = 16_000;

export interface LogBatch {
  lines: string[];
  /** Bytes of the lines as JSON array elements, commas included. */
  bytes: number;
}

const BODY_OVERHEAD = Buffer.byteLength('{"lines":[]}');

/** A line's size inside the JSON body, escapes included, plus its comma. */
export function encodedBytes(line: string): number {
  return Buffer.byteLength(JSON.stringify(line)) + 1;
}

/** Cuts a line until it fits the API's limits (control characters escape to six bytes each). */
export function fitLine(line: string, maxBytes = MAX_BATCH_BYTES - BODY_OVERHEAD): string {
  let fitted = line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line;
  while (fitted.length > 0 && encodedBytes(fitted) > maxBytes) {
    fitted = fitted.slice(0, Math.floor(fitted.length / 2));
  }
  return fitted;
}

/**
 * Appends lines to `batches` (the last one is filled first), opening new
 * batches so that none passes MAX_BATCH_LINES or MAX_BATCH_BYTES. Answers the
 * batches that were created.
 */
export function appendToBatches<B extends LogBatch>(
  batches: B[],
  lines: readonly string[],
  create: () => B,
): B[] {
  const created: B[] = [];
  let last = batches.at(-1);
  for (const raw of lines) {
    const line = fitLine(raw);
    const bytes = encodedBytes(line);
    if (
      !last ||
      last.lines.length >= MAX_BATCH_LINES ||
      BODY_OVERHEAD + last.bytes + bytes > MAX_BATCH_BYTES
    ) {
      last = create();
      batches.push(last);
      created.push(last);
    }
    last.lines.push(line);
    last.bytes += bytes;
  }
  return created;
}

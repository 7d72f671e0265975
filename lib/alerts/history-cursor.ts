import { HttpError } from "../errors/http-error";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * True for a timestamp PostgreSQL accepts: the shape alone lets through
 * 30 February or hour 99, which the query would answer with a 500.
 */
function isInstant(ts: string): boolean {
  const ms = `${ts.slice(0, 23)}Z`;
  const time = Date.parse(ms);
  return !ts.startsWith("0000") && !Number.isNaN(time) && new Date(time).toISOString() === ms;
}

/** An opaque page cursor: the last row's (created_at, id). */
export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString("base64url");
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && TS.test(value[0]) && isInstant(value[0]) && UUID.test(value[1])) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw HttpError.field(
    "cursor",
    "is not a cursor this API issued; pass next_cursor from the previous page",
  );
}

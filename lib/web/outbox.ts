import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";

/**
 * The file outbox as the local-mode web UI shows it: the `.eml` files the
 * email channel writes to `$ALERTS_DATA_DIR/outbox` when no SMTP server is
 * configured. Reading only; a small MIME reader is enough for what nodemailer
 * writes (headers with encoded words, multipart/alternative, quoted-printable
 * or base64 parts).
 */

export interface OutboxEntry {
  /** The file name, which is also the id in the page's URL. */
  name: string;
  subject: string;
  to: string;
  from: string;
  /** When the mail was written: its Date header, else the file's time. */
  date: Date;
}

export interface OutboxMessage extends OutboxEntry {
  text: string | undefined;
  html: string | undefined;
  /** The whole file as written. */
  raw: string;
}

/** Safe outbox file names: no directories, no dot files, `.eml` only. */
export function isOutboxName(name: string): boolean {
  return /^[\w][\w.-]{0,250}\.eml$/.test(name) && path.basename(name) === name;
}

/** The newest `limit` emails in the outbox, newest first; an absent outbox is empty. */
export async function listOutbox(dir: string, limit = 200): Promise<OutboxEntry[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter(isOutboxName);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const withTimes = await Promise.all(
    names.map(async (name) => ({ name, mtime: (await stat(path.join(dir, name))).mtimeMs })),
  );
  withTimes.sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name));
  return Promise.all(
    withTimes.slice(0, limit).map(async ({ name, mtime }) => {
      const raw = await readFile(path.join(dir, name), "utf8");
      return entryOf(name, parseHeaders(splitHead(raw).head), new Date(mtime));
    }),
  );
}

/** One email, or undefined when there is no such file. */
export async function readOutboxMessage(
  dir: string,
  name: string,
): Promise<OutboxMessage | undefined> {
  if (!isOutboxName(name)) return undefined;
  let raw: string;
  let mtime: Date;
  try {
    const file = path.join(dir, name);
    [raw, mtime] = await Promise.all([
      readFile(file, "utf8"),
      stat(file).then((s) => new Date(s.mtimeMs)),
    ]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const parsed = parseEmail(raw);
  return { ...entryOf(name, parsed.headers, mtime), text: parsed.text, html: parsed.html, raw };
}

function entryOf(name: string, headers: Map<string, string>, fallbackDate: Date): OutboxEntry {
  const date = new Date(headers.get("date") ?? "");
  return {
    name,
    subject: headers.get("subject") ?? "(no subject)",
    to: headers.get("to") ?? "",
    from: headers.get("from") ?? "",
    date: Number.isNaN(date.getTime()) ? fallbackDate : date,
  };
}

// ---------------------------------------------------------------------------
// A minimal MIME reader.

export interface ParsedEmail {
  /** Header names lower-cased, values unfolded and decoded. */
  headers: Map<string, string>;
  text: string | undefined;
  html: string | undefined;
}

export function parseEmail(raw: string): ParsedEmail {
  const source = raw.replace(/\r\n/g, "\n");
  const { head, body } = splitHead(source);
  const headers = parseHeaders(head);
  const found: { text?: string; html?: string } = {};
  // A message ends with a line break that is not part of its text.
  collectParts(headers, body.replace(/\n$/, ""), found, 0);
  return { headers, text: found.text, html: found.html };
}

function splitHead(source: string): { head: string; body: string } {
  const normalized = source.replace(/\r\n/g, "\n");
  const end = normalized.indexOf("\n\n");
  return end < 0
    ? { head: normalized, body: "" }
    : { head: normalized.slice(0, end), body: normalized.slice(end + 2) };
}

function parseHeaders(head: string): Map<string, string> {
  const headers = new Map<string, string>();
  // Folded lines continue the previous header.
  for (const line of head
    .replace(/\r\n/g, "\n")
    .replace(/\n[ \t]+/g, " ")
    .split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(key)) headers.set(key, decodeWords(line.slice(colon + 1).trim()));
  }
  return headers;
}

/** RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?UTF-8?Q?…?=`). */
function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, "$1") // spaces between words vanish
    .replace(
      /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g,
      (_, charset: string, enc: string, text: string) => {
        const bytes =
          enc.toUpperCase() === "B"
            ? Buffer.from(text, "base64")
            : qpBytes(text.replace(/_/g, " "), false);
        return decodeBytes(bytes, charset);
      },
    );
}

function collectParts(
  headers: Map<string, string>,
  body: string,
  found: { text?: string; html?: string },
  depth: number,
): void {
  const type = headers.get("content-type") ?? "text/plain";
  const mime = type.split(";")[0]?.trim().toLowerCase() ?? "text/plain";
  if (mime.startsWith("multipart/") && depth < 5) {
    const boundary = param(type, "boundary");
    if (!boundary) return;
    const parts = body.split(`--${boundary}`).slice(1);
    for (const part of parts) {
      if (part.startsWith("--")) break; // the closing delimiter
      const { head, body: partBody } = splitHead(part.replace(/^\n/, ""));
      collectParts(parseHeaders(head), partBody.replace(/\n$/, ""), found, depth + 1);
    }
    return;
  }
  if (mime !== "text/plain" && mime !== "text/html") return;
  const encoding = (headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  const bytes =
    encoding === "base64"
      ? Buffer.from(body.replace(/\s+/g, ""), "base64")
      : encoding === "quoted-printable"
        ? qpBytes(body, true)
        : Buffer.from(body, "utf8");
  const text = decodeBytes(bytes, param(type, "charset") ?? "utf-8");
  if (mime === "text/plain") found.text ??= text;
  else found.html ??= text;
}

function param(headerValue: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, "i").exec(headerValue);
  return match?.[1] ?? match?.[2];
}

/** Quoted-printable to bytes; in bodies `=` at a line end is a soft break. */
function qpBytes(text: string, body: boolean): Buffer {
  const source = body ? text.replace(/=\n/g, "") : text;
  const bytes: number[] = [];
  for (let i = 0; i < source.length; i++) {
    const c = source[i] ?? "";
    const hex = source.slice(i + 1, i + 3);
    if (c === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, "utf8"));
    }
  }
  return Buffer.from(bytes);
}

function decodeBytes(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset.toLowerCase()).decode(bytes);
  } catch {
    return bytes.toString("utf8");
  }
}

import { HttpError } from "./errors";

/** The largest request body any route accepts. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The deepest nesting of arrays and objects a body may have. No field needs
 * more than a few levels; 64 KiB of `[` would otherwise reach 32,000, deep
 * enough to overflow the stack of JSON.stringify and of PostgreSQL's jsonb
 * parser on the way to the database.
 */
export const MAX_BODY_DEPTH = 64;

/**
 * Reads a JSON request body: 413 past `limit` bytes (counted as they arrive,
 * whatever Content-Length claims), 415 for a non-JSON content type, 400 for
 * bytes that are not UTF-8 JSON or nest deeper than `MAX_BODY_DEPTH`. Strings
 * come back storable (see `storable`).
 */
export async function readJsonBody(req: Request, limit = MAX_BODY_BYTES): Promise<unknown> {
  const type = req.headers.get("content-type");
  if (type && !/^application\/([\w.+-]*\+)?json\b/i.test(type.trim())) {
    throw new HttpError(
      "unsupported_media_type",
      `Content-Type "${type.slice(0, 100)}" is not accepted; send JSON with Content-Type: application/json.`,
    );
  }
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw tooLarge(limit);
  if (!req.body) throw malformed("the body is empty");

  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  if (size === 0) throw malformed("the body is empty");

  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw malformed("the body is not valid UTF-8");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw malformed((error as Error).message);
  }
  return storable(value);
}

// U+0000 and unpaired surrogates are valid JSON escapes ("\u0000", "\ud800")
// that PostgreSQL refuses in text and jsonb.
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is what this finds.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const fix = (s: string) => s.replace(UNSTORABLE, "\ufffd");

/**
 * Checks the depth of a parsed body and replaces, in every string and key,
 * the characters PostgreSQL cannot store with U+FFFD. Replacing rather than
 * refusing keeps a traceback or log line with a stray NUL byte from costing
 * its alert; no field has a use for those characters. Iterative, so no depth
 * of input can overflow the stack here.
 */
export function storable(root: unknown): unknown {
  if (typeof root === "string") return fix(root);
  const stack: [object, number][] = [];
  if (typeof root === "object" && root !== null) stack.push([root, 1]);
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, depth] = next;
    if (depth > MAX_BODY_DEPTH) {
      throw new HttpError(
        "bad_request",
        `The request body nests arrays and objects more than ${MAX_BODY_DEPTH} levels deep; send flatter data.`,
      );
    }
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const value: unknown = node[i];
        if (typeof value === "string") node[i] = fix(value);
        else if (typeof value === "object" && value !== null) stack.push([value, depth + 1]);
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const value = record[key];
      if (typeof value === "object" && value !== null) stack.push([value, depth + 1]);
      const fixedKey = fix(key);
      const fixedValue = typeof value === "string" ? fix(value) : value;
      if (fixedKey === key && fixedValue === value) continue;
      if (fixedKey !== key) delete record[key];
      // defineProperty: a plain assignment to "__proto__" would set the prototype.
      Object.defineProperty(record, fixedKey, {
        value: fixedValue,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return root;
}

const tooLarge = (limit: number) =>
  new HttpError(
    "payload_too_large",
    `The request body is larger than ${limit / 1024} KiB; send less data per request.`,
  );

const malformed = (why: string) =>
  new HttpError("malformed_json", `The request body is not valid JSON: ${why}.`);

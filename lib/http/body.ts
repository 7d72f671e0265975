import { HttpError } from "./errors";

/** The largest request body any route accepts. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads a JSON request body: 413 past `limit` bytes (counted as they arrive,
 * whatever Content-Length claims), 415 for a non-JSON content type, 400 for
 * bytes that are not UTF-8 JSON.
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
  try {
    return JSON.parse(text);
  } catch (error) {
    throw malformed((error as Error).message);
  }
}

const tooLarge = (limit: number) =>
  new HttpError(
    "payload_too_large",
    `The request body is larger than ${limit / 1024} KiB; send less data per request.`,
  );

const malformed = (why: string) =>
  new HttpError("malformed_json", `The request body is not valid JSON: ${why}.`);

import { timingSafeEqual } from "node:crypto";
import { signStandardWebhook } from "../alerts/channels/signature";

/**
 * Local mode's built-in test receiver (`/dev/receiver`): a tiny webhook.site
 * inside the server. Each signed-in user has an inbox at
 * `/dev/receiver/<user id>`; what arrives is kept in memory (the newest 50
 * requests per inbox, gone at restart: local mode is one process), and the
 * user chooses the HTTP status it answers, so retries can be tried too.
 */

export interface ReceivedRequest {
  /** A sequence number, newest highest. */
  seq: number;
  at: Date;
  method: string;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: string;
  /** The status the receiver answered. */
  status: number;
}

export interface Inbox {
  /** The status the next requests are answered with. Default 200. */
  replyStatus: number;
  /** Newest first. */
  requests: ReceivedRequest[];
}

/** Statuses the receiver may be told to answer: success, a permanent and a passing failure. */
export const REPLY_STATUSES = [200, 400, 500] as const;

const MAX_REQUESTS = 50;
/** A body larger than this is cut; the receiver is for looking at alerts, not bulk data. */
export const MAX_BODY_BYTES = 256 * 1024;

const KEY = Symbol.for("training-alerts.dev-receiver");
type Holder = { [KEY]?: { seq: number; inboxes: Map<string, Inbox> } };

function store() {
  // Next evaluates modules once per bundle; globalThis is shared by all of them.
  const holder = globalThis as Holder;
  holder[KEY] ??= { seq: 0, inboxes: new Map() };
  return holder[KEY];
}

export function getInbox(id: string): Inbox {
  const s = store();
  let inbox = s.inboxes.get(id);
  if (!inbox) {
    inbox = { replyStatus: 200, requests: [] };
    s.inboxes.set(id, inbox);
  }
  return inbox;
}

/** Records a request and answers the status it is to get. */
export function receive(
  id: string,
  request: Omit<ReceivedRequest, "seq" | "status">,
): ReceivedRequest {
  const s = store();
  const inbox = getInbox(id);
  s.seq += 1;
  const received = { ...request, seq: s.seq, status: inbox.replyStatus };
  inbox.requests.unshift(received);
  inbox.requests.length = Math.min(inbox.requests.length, MAX_REQUESTS);
  return received;
}

export function setReplyStatus(id: string, status: number): void {
  getInbox(id).replyStatus = status;
}

export function clearInbox(id: string): void {
  getInbox(id).requests = [];
}

export type SignatureCheck =
  | { state: "verified"; by: string }
  | { state: "unsigned" }
  | { state: "mismatch"; detail: string };

/**
 * Checks a request's Standard Webhooks signature against the secrets of the
 * user's webhooks (`secrets`: name → secret): verified when one of them
 * signed `webhook-id.webhook-timestamp.body`.
 */
export function checkSignature(
  request: Pick<ReceivedRequest, "headers" | "body">,
  secrets: { name: string; secret: string }[],
): SignatureCheck {
  const id = request.headers["webhook-id"];
  const timestamp = request.headers["webhook-timestamp"];
  const header = request.headers["webhook-signature"];
  if (!id || !timestamp || !header) return { state: "unsigned" };
  if (!/^\d+$/.test(timestamp)) {
    return { state: "mismatch", detail: "webhook-timestamp is not a number of seconds" };
  }
  const given = header.split(" ").filter((s) => s.startsWith("v1,"));
  if (secrets.length === 0) {
    return { state: "mismatch", detail: "none of your webhooks has a secret to check it with" };
  }
  for (const { name, secret } of secrets) {
    const expected = Buffer.from(signStandardWebhook(secret, id, Number(timestamp), request.body));
    for (const candidate of given) {
      const value = Buffer.from(candidate);
      if (value.length === expected.length && timingSafeEqual(value, expected)) {
        return { state: "verified", by: name };
      }
    }
  }
  return {
    state: "mismatch",
    detail: "the signature matches none of your webhooks' secrets",
  };
}

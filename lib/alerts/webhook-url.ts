import type { Config } from "../config/config";
import { HttpError } from "../errors/http-error";
import { ipFromHost, isForbiddenAddress } from "../security/outbound";
import { webhookKind } from "./channels/kinds";

/**
 * Checks a webhook URL when it is saved: an absolute https URL (http only with
 * `ALERTS_WEBHOOK_ALLOW_HTTP`), no credentials, no control characters, and no
 * literal private or loopback address. Names are resolved and checked again
 * at every connection, since DNS can change after this check.
 */
export function checkWebhookUrl(raw: string, config: Pick<Config, "webhooks">, field = "url"): URL {
  if (/[\p{Cc}\s]/u.test(raw)) {
    throw HttpError.field(field, "must not contain spaces, line breaks or control characters");
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw HttpError.field(
      field,
      "must be an absolute URL such as https://hooks.slack.com/services/…",
    );
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && config.webhooks.allowHttp)) {
    throw HttpError.field(
      field,
      url.protocol === "http:"
        ? "must use https:// (plain http is allowed only when ALERTS_WEBHOOK_ALLOW_HTTP=true)"
        : "must be an https:// URL",
    );
  }
  if (url.href.length > 2048) {
    throw HttpError.field(field, "must be at most 2048 characters once encoded");
  }
  if (url.username || url.password) {
    throw HttpError.field(
      field,
      "must not contain a user name or password; put credentials in the path or use a secret",
    );
  }
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (!host) throw HttpError.field(field, "must name a host");
  const ip = ipFromHost(host);
  // Local mode allows this machine: `localhost` then names loopback, which the
  // connect-time check still enforces on every resolved address.
  const localName = isLocalName(host) && !(config.webhooks.localReceivers && host === "localhost");
  if (ip ? isForbiddenAddress(ip, config.webhooks.allowedCidrs) : localName) {
    throw HttpError.field(
      field,
      "must point to a public address; private, loopback and link-local addresses are blocked (operators may allow ranges with ALERTS_WEBHOOK_ALLOWED_CIDRS)",
    );
  }
  return url;
}

const isLocalName = (host: string) =>
  host === "localhost" ||
  host.endsWith(".localhost") ||
  host.endsWith(".internal") ||
  host.endsWith(".local");

/**
 * What the API shows of a webhook URL: scheme, host and the first path
 * segment. Slack and Discord put the credential in the path, so the rest
 * never leaves the database; an ntfy topic is itself the password of a
 * public server, and a Telegram path holds the bot token, so those show two
 * and four characters only.
 */
export function maskUrl(url: URL, type?: string): string {
  const [first, ...rest] = url.pathname.split("/").filter(Boolean);
  const port = url.port ? `:${url.port}` : "";
  const base = `${url.protocol}//${url.hostname}${port}`;
  if (!first) return `${base}/`;
  const keeps = type === undefined ? undefined : webhookKind(type)?.maskKeeps;
  const shown =
    keeps !== undefined
      ? `${first.slice(0, keeps)}…`
      : first.length > 16
        ? `${first.slice(0, 4)}…`
        : first;
  return rest.length > 0 || url.search || shown !== first
    ? `${base}/${shown}/…`
    : `${base}/${shown}`;
}

import type { AlertFlag } from "../alert.types";

/**
 * What the rest of the system knows of a webhook kind, besides its channel:
 * one object per kind (`channels/<kind>/kind.ts`), listed in `kinds.ts`.
 * Pure data and pure functions, nothing else imported, so the browser bundle
 * (the webhook form, the badges) reads the same list as the API.
 */
export interface WebhookKind {
  /** The `webhook_type` value, and its channel's key in the registry (`channels/index.ts`). */
  readonly type: string;
  /** What the web UI calls it. */
  readonly label: string;
  /** What a webhook's `secret` is for this kind: the API validates by it, the form asks by it. */
  readonly secret: WebhookSecretKind;
  /** The form's help under the URL field: where the user finds the URL. */
  readonly urlHint: string;
  readonly urlPlaceholder: string;
  /** The URL a new webhook starts with, for a kind with one fixed endpoint (PagerDuty's). */
  readonly defaultUrl?: string;
  /**
   * Each alert flag's default for a new webhook of this kind, when it is not
   * `DEFAULT_FLAGS` (PagerDuty pages people, so it takes only what needs
   * someone now). A full table, so a new alert type must decide for it.
   */
  readonly defaultFlags?: Readonly<Record<AlertFlag, boolean>>;
  /**
   * What a URL of this kind must hold beyond being a safe https URL: the
   * sentence that says how to fix it (after "url "), or undefined. Pure.
   */
  checkUrl?(url: URL): string | undefined;
  /**
   * For a kind whose URL's first path segment is itself a credential (an ntfy
   * topic, a Telegram bot token): how many of its characters the API shows.
   * Other kinds show a first segment of up to 16 characters whole.
   */
  readonly maskKeeps?: number;
  /** The web UI's badge: a background colour and a glyph (decorative; the label is written out). */
  readonly badge: { readonly fill: string; readonly glyph: string };
  /**
   * Whether a URL names this kind, for a create that leaves `webhook_type` out
   * ("paste the URL you were given"). Only ever infers: an explicit type is
   * never refused because of the host (self-hosted servers, test receivers).
   * Kinds are tried in the list's order. Pure.
   */
  inferFrom?(url: URL): boolean;
}

/**
 * What a webhook's `secret` is (DESIGN.md §5): a Standard Webhooks signing
 * secret, the destination's own credential (an ntfy access token, a PagerDuty
 * routing key, which a pagerduty webhook requires), or nothing (the URL
 * carries the credential).
 */
export type WebhookSecretKind = "signing" | "ntfy-token" | "routing-key" | "none";

/** A URL's host, lowercase, without the trailing dot of a fully qualified name. */
export const hostOf = (url: URL) => url.hostname.toLowerCase().replace(/\.$/, "");

/** Whether a URL's host is `domain` or one of its subdomains. */
export const isUnder = (url: URL, domain: string) => {
  const host = hostOf(url);
  return host === domain || host.endsWith(`.${domain}`);
};

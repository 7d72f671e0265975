import type { WebhookType } from "@/lib/alerts/client";

/**
 * The credentials some kinds carry in their URL (docs/destinations.md):
 * Telegram's bot token and chat id, ntfy's topic. The form shows them as
 * fields of their own and keeps the URL in step both ways, so a pasted URL
 * fills the fields and the fields build the URL. Pure.
 */
export interface UrlPart {
  key: string;
  label: string;
  hint: string;
  placeholder: string;
  /** Shown as a password field: it is the credential itself. */
  secret: boolean;
}

export interface UrlParts {
  /** Where the parts go when the URL field is empty or does not parse. */
  defaultBase: string;
  parts: UrlPart[];
  /** The URL's base (scheme, host, any path prefix) and parts, or undefined when it is not this kind's shape. */
  parse(url: string): { base: string; values: Record<string, string> } | undefined;
  build(base: string, values: Record<string, string>): string;
}

const TELEGRAM: UrlParts = {
  defaultBase: "https://api.telegram.org",
  parts: [
    {
      key: "token",
      label: "Bot token",
      hint: "From @BotFather (/newbot), e.g. 123456789:AAH…. Stored encrypted, never shown again.",
      placeholder: "123456789:AA…",
      secret: true,
    },
    {
      key: "chat_id",
      label: "Chat id",
      hint: 'From https://api.telegram.org/bot<token>/getUpdates ("chat":{"id":…}); groups are negative, or @channelname.',
      placeholder: "-1001234567890",
      secret: false,
    },
  ],
  parse(url) {
    const m = /^(https?:\/\/[^?#]*?)\/bot([^/?#]*)\/sendMessage(?:\?(.*))?$/.exec(url.trim());
    if (!m) return undefined;
    const chat = new URLSearchParams(m[3] ?? "").get("chat_id") ?? "";
    return { base: m[1] as string, values: { token: m[2] as string, chat_id: chat } };
  },
  build(base, v) {
    const chat = new URLSearchParams({ chat_id: (v.chat_id ?? "").trim() }).toString();
    return `${base}/bot${(v.token ?? "").trim()}/sendMessage?${chat}`;
  },
};

/** A path segment as typed: `%zz` that does not decode stays as it is. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const NTFY: UrlParts = {
  defaultBase: "https://ntfy.sh",
  parts: [
    {
      key: "topic",
      label: "Topic",
      hint: "Hard to guess: on ntfy.sh the topic is the password. Subscribe to it in the ntfy app.",
      placeholder: "training-alerts-7f3c9e",
      secret: false,
    },
  ],
  parse(url) {
    const m = /^(https?:\/\/[^?#]+)\/([^/?#]*)$/.exec(url.trim());
    if (!m) return undefined;
    return { base: m[1] as string, values: { topic: decoded(m[2] as string) } };
  },
  build(base, v) {
    return `${base}/${encodeURIComponent((v.topic ?? "").trim())}`;
  },
};

export const URL_PARTS: Partial<Record<WebhookType, UrlParts>> = {
  telegram: TELEGRAM,
  ntfy: NTFY,
};

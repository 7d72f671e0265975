import { hostOf, type WebhookKind } from "../webhook-kind";

export const ntfyKind = {
  type: "ntfy",
  label: "ntfy",
  secret: "ntfy-token",
  urlHint: "ntfy: the topic URL, e.g. https://ntfy.sh/<topic> or your own server's.",
  urlPlaceholder: "https://ntfy.sh/…",
  badge: { fill: "#338574", glyph: "n" },
  // The topic is the last segment; a self-hosted server may sit behind a sub-path (ntfyTarget).
  checkUrl: (url) =>
    url.pathname.split("/").filter(Boolean).length === 0
      ? "for ntfy must be the topic's URL, such as https://ntfy.sh/<topic> (or https://your-server/<path>/<topic>)"
      : undefined,
  // On a public server the topic is itself the password.
  maskKeeps: 2,
  inferFrom: (url) => hostOf(url) === "ntfy.sh",
} as const satisfies WebhookKind;

import { hostOf, type WebhookKind } from "../webhook-kind";

export const ntfyKind = {
  type: "ntfy",
  label: "ntfy",
  secret: "ntfy-token",
  urlHint: "ntfy: the topic URL, e.g. https://ntfy.sh/<topic> or your own server's.",
  urlPlaceholder: "https://ntfy.sh/…",
  badge: { fill: "#338574", glyph: "n" },
  inferFrom: (url) => hostOf(url) === "ntfy.sh",
} as const satisfies WebhookKind;

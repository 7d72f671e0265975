import type { WebhookKind } from "../webhook-kind";

/** Any endpoint: never inferred from a URL, it is the default type. */
export const genericKind = {
  type: "generic",
  label: "Generic (signed JSON)",
  secret: "signing",
  urlHint: "Your endpoint receives a JSON POST: { type, timestamp, data }.",
  urlPlaceholder: "https://example.com/training-alerts",
  badge: { fill: "#334155", glyph: "{}" },
} as const satisfies WebhookKind;

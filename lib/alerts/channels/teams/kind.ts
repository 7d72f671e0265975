import { isUnder, type WebhookKind } from "../webhook-kind";

export const teamsKind = {
  type: "teams",
  label: "Microsoft Teams",
  secret: "none",
  urlHint:
    "Teams: channel ••• → Workflows → “Post to a channel when a webhook request is received” → copy the URL.",
  urlPlaceholder: "https://….logic.azure.com/workflows/…",
  badge: { fill: "#4b53bc", glyph: "T" },
  // Power Automate "Workflows" webhooks (the replacement of Teams connectors).
  inferFrom: (url) => isUnder(url, "logic.azure.com") || isUnder(url, "api.powerplatform.com"),
} as const satisfies WebhookKind;

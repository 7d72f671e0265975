import { hostOf, type WebhookKind } from "../webhook-kind";

export const slackKind = {
  type: "slack",
  label: "Slack",
  secret: "signing",
  urlHint:
    "Slack: Apps → Incoming Webhooks → “Add New Webhook to Workspace”; starts with https://hooks.slack.com/services/",
  urlPlaceholder: "https://hooks.slack.com/services/…",
  badge: { fill: "#611f69", glyph: "#" },
  inferFrom: (url) => hostOf(url) === "hooks.slack.com",
} as const satisfies WebhookKind;

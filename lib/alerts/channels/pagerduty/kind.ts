import { hostOf, type WebhookKind } from "../webhook-kind";

const ENQUEUE = "https://events.pagerduty.com/v2/enqueue";

export const pagerDutyKind = {
  type: "pagerduty",
  label: "PagerDuty",
  secret: "routing-key",
  urlHint: `PagerDuty: ${ENQUEUE}; put the Events API v2 integration key in the secret.`,
  urlPlaceholder: ENQUEUE,
  defaultUrl: ENQUEUE,
  badge: { fill: "#06ac38", glyph: "P" },
  inferFrom: (url) => ["events.pagerduty.com", "events.eu.pagerduty.com"].includes(hostOf(url)),
} as const satisfies WebhookKind;

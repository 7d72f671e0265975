import type { WebhookKind } from "../webhook-kind";

export const mattermostKind = {
  type: "mattermost",
  label: "Mattermost",
  secret: "none",
  urlHint: "Mattermost: Integrations → Incoming Webhooks → Add → copy the URL (…/hooks/…).",
  urlPlaceholder: "https://mattermost.example.com/hooks/…",
  badge: { fill: "#1e325c", glyph: "M" },
  // Mattermost's incoming webhook ids are 26 lowercase letters and digits, on any host.
  inferFrom: (url) => /^\/hooks\/[a-z0-9]{26}\/?$/.test(url.pathname),
} as const satisfies WebhookKind;

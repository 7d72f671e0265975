import { hostOf, type WebhookKind } from "../webhook-kind";

const HOSTS = ["discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"];

export const discordKind = {
  type: "discord",
  label: "Discord",
  secret: "signing",
  urlHint: "Discord: channel settings → Integrations → Webhooks → “Copy Webhook URL”.",
  urlPlaceholder: "https://discord.com/api/webhooks/…",
  badge: { fill: "#4752c4", glyph: "D" },
  inferFrom: (url) => HOSTS.includes(hostOf(url)) && url.pathname.startsWith("/api/webhooks/"),
} as const satisfies WebhookKind;

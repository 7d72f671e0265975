import { hostOf, type WebhookKind } from "../webhook-kind";

export const telegramKind = {
  type: "telegram",
  label: "Telegram",
  secret: "none",
  urlHint:
    "Telegram: https://api.telegram.org/bot<token>/sendMessage?chat_id=<chat id> (token from @BotFather).",
  urlPlaceholder: "https://api.telegram.org/bot…/sendMessage?chat_id=…",
  badge: { fill: "#229ed9", glyph: "✈" },
  inferFrom: (url) => hostOf(url) === "api.telegram.org" && /^\/bot[^/]+\//.test(url.pathname),
} as const satisfies WebhookKind;

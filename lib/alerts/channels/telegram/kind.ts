import { hostOf, type WebhookKind } from "../webhook-kind";

export const telegramKind = {
  type: "telegram",
  label: "Telegram",
  secret: "none",
  urlHint:
    "Telegram: https://api.telegram.org/bot<token>/sendMessage?chat_id=<chat id> (token from @BotFather).",
  urlPlaceholder: "https://api.telegram.org/bot…/sendMessage?chat_id=…",
  badge: { fill: "#229ed9", glyph: "✈" },
  checkUrl: (url) => {
    if (!/^\/bot[^/]+\/sendMessage\/?$/.test(url.pathname))
      return "for telegram must be https://api.telegram.org/bot<token>/sendMessage?chat_id=<chat id> (or the same path on your Bot API server)";
    const chat = url.searchParams.get("chat_id") ?? "";
    if (!/^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$/.test(chat))
      return "for telegram needs ?chat_id=<chat id> (a number such as -1001234567890, or @channelname); message the bot, then read the id from https://api.telegram.org/bot<token>/getUpdates";
    return undefined;
  },
  // The path holds the bot token.
  maskKeeps: 4,
  inferFrom: (url) => hostOf(url) === "api.telegram.org" && /^\/bot[^/]+\//.test(url.pathname),
} as const satisfies WebhookKind;

/**
 * What Telegram's Bot API answers mean (https://core.telegram.org/bots/api#making-requests):
 * every answer is `{ ok, error_code, description, parameters? }`, where
 * `parameters` is a ResponseParameters (https://core.telegram.org/bots/api#responseparameters):
 * `retry_after` (seconds to wait after flood control) and `migrate_to_chat_id`
 * (the group became a supergroup with this id). Pure.
 */
interface TelegramAnswer {
  ok?: boolean;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: unknown; migrate_to_chat_id?: unknown };
}

function parse(body: string): TelegramAnswer | undefined {
  try {
    const answer = JSON.parse(body) as unknown;
    return typeof answer === "object" && answer !== null ? (answer as TelegramAnswer) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The bot can no longer post to the chat, and only a person can change that:
 * 401 (the token was revoked), 403 "bot was blocked by the user" / "bot was
 * kicked from the group chat" / "not a member", 400 "chat not found", 404
 * (no such bot token on a Bot API server).
 */
export function isTelegramRevoked(status: number, body: string): boolean {
  if (status === 401 || status === 403 || status === 404) return true;
  const description = parse(body)?.description ?? "";
  return (
    status === 400 &&
    /chat not found|bot was kicked|bot was blocked|not enough rights to send/i.test(description)
  );
}

/** Flood control: `parameters.retry_after` seconds, in ms. */
export function telegramRetryAfter(body: string): number | undefined {
  const seconds = parse(body)?.parameters?.retry_after;
  return typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0
    ? Math.ceil(seconds * 1000)
    : undefined;
}

/** "Bad Request: group chat was upgraded to a supergroup chat": the new chat id, when given. */
export function telegramMigratedChatId(status: number, body: string): string | undefined {
  if (status !== 400) return undefined;
  const id = parse(body)?.parameters?.migrate_to_chat_id;
  if (typeof id === "number" && Number.isSafeInteger(id)) return String(id);
  if (typeof id === "string" && /^-?\d{1,20}$/.test(id)) return id;
  return undefined;
}

/** The webhook's URL with the new chat id (DESIGN.md §5: `…/sendMessage?chat_id=<chat id>`). */
export function withChatId(address: string, chatId: string): string {
  const url = new URL(address);
  url.searchParams.set("chat_id", chatId);
  return url.toString();
}

/**
 * Where `sendMessage` is POSTed and the chat it goes to: the URL without its
 * query, and `chat_id` from the query (the body carries it, DESIGN.md §5).
 */
export function telegramTarget(address: string): { endpoint: string; chatId: string } {
  const url = new URL(address);
  const chatId = url.searchParams.get("chat_id") ?? "";
  url.search = "";
  return { endpoint: url.toString(), chatId };
}

import type { SafePostResult } from "../../../security/safe-http";
import { formatTelegramGroup } from "../../formatters/group/telegram.group";
import { formatTelegram } from "../../formatters/telegram.formatter";
import type { Channel, ChannelResult } from "../channel.types";
import { classifyHttp } from "../classify-http";
import { postJson } from "../post-json";
import { previewJson } from "../preview";
import { telegramKind } from "./kind";
import {
  isTelegramRevoked,
  telegramMigratedChatId,
  telegramRetryAfter,
  telegramTarget,
  withChatId,
} from "./rules";

export interface TelegramRequest {
  /** `https://…/bot<token>/sendMessage`: the webhook URL without its query. */
  endpoint: string;
  body: string;
}
/** The answer, with the address it was sent for (a migration rewrites that address). */
export interface TelegramSent {
  result: SafePostResult;
  address: string;
}

/**
 * Telegram bots (Bot API `sendMessage`, https://core.telegram.org/bots/api#sendmessage):
 * the webhook URL `…/bot<token>/sendMessage?chat_id=<chat id>` holds the
 * token and the chat; the message is POSTed as JSON with `chat_id` in the
 * body. Telegram asks bots to keep to about one message a second per chat
 * (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).
 */
export const telegramChannel: Channel<TelegramRequest, TelegramSent> = {
  kind: telegramKind.type,
  format: (card, destination) => {
    const { endpoint, chatId } = telegramTarget(destination.address);
    return { endpoint, body: JSON.stringify({ chat_id: chatId, ...formatTelegram(card) }) };
  },
  formatGroup: (group, destination) => {
    const { endpoint, chatId } = telegramTarget(destination.address);
    return { endpoint, body: JSON.stringify({ chat_id: chatId, ...formatTelegramGroup(group) }) };
  },
  preview: (card) => previewJson(formatTelegram(card)),
  send: async (payload, destination, io) => ({
    address: destination.address,
    result: await postJson(payload.endpoint, payload.body, io),
  }),
  classify: classifyTelegram,
  pacing: { minIntervalMs: 1_000, maxInFlight: 1 },
};

/**
 * Telegram's answers: a group upgraded to a supergroup names its new chat id
 * (`parameters.migrate_to_chat_id`): the webhook's URL is rewritten and the
 * message sent again at once; a revoked token, a blocked or removed bot and a
 * lost chat revoke; flood control waits `parameters.retry_after`. Pure.
 */
export function classifyTelegram({ result, address }: TelegramSent): ChannelResult {
  if (result.kind === "response") {
    const chatId = telegramMigratedChatId(result.status, result.body);
    if (chatId) {
      return {
        verdict: "retry",
        updateDestination: { address: withChatId(address, chatId) },
        statusCode: result.status,
        error: `the group became a supergroup; sending to its new chat id ${chatId}`,
        durationMs: Math.round(result.durationMs),
      };
    }
  }
  return classifyHttp(result, { revoked: isTelegramRevoked, retryAfterInBody: telegramRetryAfter });
}

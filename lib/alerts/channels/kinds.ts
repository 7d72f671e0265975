import { discordKind } from "./discord/kind";
import { genericKind } from "./generic/kind";
import { mattermostKind } from "./mattermost/kind";
import { ntfyKind } from "./ntfy/kind";
import { pagerDutyKind } from "./pagerduty/kind";
import { slackKind } from "./slack/kind";
import { teamsKind } from "./teams/kind";
import { telegramKind } from "./telegram/kind";
import type { WebhookKind, WebhookSecretKind } from "./webhook-kind";

/**
 * Every webhook kind, in the order the web UI offers them and URL inference
 * tries them. This list is browser-safe (each `kind.ts` is pure data); the
 * engine's side of a kind is its channel in `CHANNELS` (`index.ts`), which
 * `npm run typecheck` asks for once the kind is here. The API's accepted
 * types, the secret rules, the form, the badges and the labels all read this.
 */
export const WEBHOOK_KINDS = [
  slackKind,
  discordKind,
  genericKind,
  teamsKind,
  telegramKind,
  ntfyKind,
  pagerDutyKind,
  mattermostKind,
] as const satisfies readonly WebhookKind[];

export type WebhookType = (typeof WEBHOOK_KINDS)[number]["type"];

/** The `webhook_type` values, in the list's order. */
export const WEBHOOK_TYPES = WEBHOOK_KINDS.map(
  (k) => k.type,
) as readonly WebhookType[] as readonly [WebhookType, ...WebhookType[]];

const byType = new Map<string, WebhookKind>(WEBHOOK_KINDS.map((k) => [k.type, k]));

/** The kind of a `webhook_type`; undefined for a value this build does not know. */
export function webhookKind(type: string): WebhookKind | undefined {
  return byType.get(type);
}

/** What each type's secret is (see `WebhookKind.secret`). */
export const WEBHOOK_SECRET = Object.fromEntries(
  WEBHOOK_KINDS.map((k) => [k.type, k.secret]),
) as Record<WebhookType, WebhookSecretKind>;

/**
 * "Paste the URL you were given": the first kind whose `inferFrom` takes the
 * URL, used only when a create omits `webhook_type` (DESIGN.md §5). Pure.
 */
export function inferWebhookType(url: URL): WebhookType | undefined {
  return WEBHOOK_KINDS.find((k) => "inferFrom" in k && k.inferFrom(url))?.type;
}

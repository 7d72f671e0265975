/**
 * The part of lib/alerts that client components may import: constants, types
 * and pure functions, nothing that reaches the database or Node built-ins, so
 * the browser bundle stays free of the engine. Server code imports
 * `lib/alerts` (index.ts), which re-exports all of this.
 */
export {
  ALERT_STATUSES,
  ALERT_TYPES,
  type AlertFlag,
  type AlertStatus,
  DEFAULT_FLAGS,
  EVENT_TYPES,
  type EventType,
  GROUP_MESSAGE_TYPE,
  GROUPING,
  WEBHOOK_SECRET,
  WEBHOOK_TYPES,
  type WebhookSecretKind,
  type WebhookType,
} from "./alert.types";
export { inferWebhookType, WEBHOOK_KINDS, webhookKind } from "./channels/kinds";
export type { WebhookKind } from "./channels/webhook-kind";
export { describeQuietHours, type QuietHours } from "./quiet-hours";

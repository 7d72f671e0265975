/**
 * The public surface of the alert core: what routes, pages and lib/http use.
 * Everything else in lib/alerts is internal and may change shape;
 * `npm run lint` (dependency-cruiser) rejects an import from app/ or lib/http
 * that reaches past this file (or client.ts, its browser-safe part).
 */

// Request and response schemas (validation at the edge, and the OpenAPI document).
export { eventAcceptedSchema, eventInputSchema } from "./api/events.schema";
export { uuid } from "./api/fields";
export { historyPageSchema, historyQuerySchema } from "./api/history.schema";
export { inboxPageSchema, inboxQuerySchema } from "./api/inbox.schema";
export {
  jobDetailQuerySchema,
  jobDetailSchema,
  jobLogsSchema,
  jobProgressSchema,
  jobPutSchema,
  jobsPageSchema,
  jobsQuerySchema,
} from "./api/jobs.schema";
export { keyCreatedSchema, keyCreateSchema, keyViewSchema } from "./api/keys.schema";
export {
  MAX_MUTE_MS,
  MUTE_DURATIONS,
  muteCreateSchema,
  muteListSchema,
  muteViewSchema,
} from "./api/mutes.schema";
export { preferencesUpdateSchema, preferencesViewSchema } from "./api/preferences.schema";
export {
  MAX_WEBHOOKS_PER_USER,
  type WebhookPatch,
  webhookCreateSchema,
  webhookPatchSchema,
  webhookTestResultSchema,
  webhookViewSchema,
} from "./api/webhooks.schema";
export { previewAlert } from "./channels/index";
export { openDestination } from "./channels/open-destination";
export * from "./client";
// Events and the inbox.
export { isBelowDiskThreshold } from "./disk-threshold";
export { describeOutcome } from "./event-outcome";
// Payload previews (the settings and history pages show what a channel receives).
export type { AlertCard } from "./formatters/card";
export { historyPath } from "./grouping/history-link";
// Alert history, retries and mutes.
export { decodeCursor, encodeCursor } from "./history-cursor";
// Training jobs.
export { jobIdParam, jobNotFound } from "./job-id";
export { verifyMuteToken } from "./mute-link";
export { type JobWriter, putTrainingJob } from "./put-training-job";
// Preferences, producer keys and webhooks.
export { zonedTimeToInstant } from "./quiet-hours";
export { refreshAlertSummary } from "./sql/alerts";
export { countOperatorErrors } from "./sql/count-operator-errors";
export { deleteMute } from "./sql/delete-mute";
export { deleteProducerKey } from "./sql/delete-producer-key";
export { insertEventAndNotify } from "./sql/events";
export { findProducerKeyAndTouch } from "./sql/find-producer-key-and-touch";
export { getJobDetail } from "./sql/get-job-detail";
export { listHistory } from "./sql/history";
export { insertProducerKey } from "./sql/insert-producer-key";
export { getJob, recordProgress } from "./sql/jobs";
export { listActiveMutes } from "./sql/list-active-mutes";
export { listInboxEvents } from "./sql/list-inbox-events";
export { listJobs } from "./sql/list-jobs";
export { listProducerKeys } from "./sql/list-producer-keys";
export { getOrCreatePreferences, upsertPreferences } from "./sql/preferences";
export { retryFailedDeliveries } from "./sql/retry-failed-deliveries";
export { upsertMute } from "./sql/upsert-mute";
export {
  deleteWebhook,
  getWebhook,
  getWebhookTarget,
  insertWebhook,
  listWebhooks,
  updateWebhook,
} from "./sql/webhooks";
export { raiseLossDiverged, storableLoss } from "./triggers/loss.trigger";
export { detectOom } from "./triggers/resource.trigger";
export { JOB_STATUSES } from "./triggers/training-job.trigger";
export { toWebhookWrite } from "./webhook-input";
export { testWebhook } from "./webhook-test";

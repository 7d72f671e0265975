import type { SafePostResult } from "../../../security/safe-http";
import { formatPagerDutyGroup } from "../../formatters/group/pagerduty.group";
import { formatPagerDuty, PAGERDUTY_TRIGGERS } from "../../formatters/pagerduty.formatter";
import type { Channel, ChannelResult } from "../channel.types";
import { classifyHttp } from "../classify-http";
import { postJson } from "../post-json";
import { previewJson } from "../preview";
import { pagerDutyKind } from "./kind";
import { isPagerDutyRevoked } from "./rules";

/** An Events API v2 event as formatted (without its routing key), or why nothing is sent. */
export type PagerDutyRequest = { event: object } | { skip: string };
export type PagerDutySent = SafePostResult | { kind: "skipped"; reason: string };

/**
 * PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/overview/):
 * the webhook URL is the enqueue endpoint (US or EU), its secret the
 * integration's routing key, which is added to the event only when sending.
 * Failures, OOM, stalls and full disks trigger; completions resolve the same
 * `dedup_key`; other types send nothing. PagerDuty allows about 120 events a
 * minute per integration key (Events API rate limits): one per 0.5 s.
 */
export const pagerDutyChannel: Channel<PagerDutyRequest, PagerDutySent> = {
  kind: pagerDutyKind.type,
  format: (card) => {
    const event = formatPagerDuty(card);
    return event ? { event } : { skip: `PagerDuty takes no ${card.type} alerts; nothing was sent` };
  },
  // One trigger per group message, on the group's own incident (docs/destinations.md).
  formatGroup: (group) => {
    const event = formatPagerDutyGroup(group);
    return event
      ? { event }
      : { skip: `PagerDuty takes no ${group.type} alerts; nothing was sent` };
  },
  // Only what pages is grouped: a resolve names one job's incident, so it goes out on its own.
  groupsType: (type) => Object.hasOwn(PAGERDUTY_TRIGGERS, type) && type !== "test",
  preview: (card) => previewJson(formatPagerDuty(card)),
  send: async (payload, destination, io) => {
    if ("skip" in payload) return { kind: "skipped", reason: payload.skip };
    return postJson(
      destination.address,
      JSON.stringify({ routing_key: destination.secret ?? "", ...payload.event }),
      io,
    );
  },
  classify: classifyPagerDuty,
  pacing: { minIntervalMs: 500, maxInFlight: 2 },
};

/**
 * 202 delivered; 400 "Invalid routing key" revoked; 429 and 5xx retry
 * (classifyHttp). A type PagerDuty does not take was never sent: skipped,
 * not delivered, so history and metrics do not count it as a message. Pure.
 */
export function classifyPagerDuty(sent: PagerDutySent): ChannelResult {
  if (sent.kind === "skipped")
    return { verdict: "skipped", statusCode: null, error: sent.reason, durationMs: 0 };
  return classifyHttp(sent, { revoked: isPagerDutyRevoked });
}

import { asLine } from "../templates/text";

/** A group label is a name, not a document: longer ones are cut (display fields never cost an alert). */
export const GROUP_LABEL_MAX = 200;

/**
 * A group label as every rule compares it: one line, at most GROUP_LABEL_MAX
 * characters; `null` unless a non-empty string. Grouping, mutes and history
 * filters all use this, so a label typed with stray spaces still matches. Pure.
 */
export function cleanGroupLabel(value: unknown): string | null {
  const label = asLine(value);
  if (label === undefined) return null;
  return label.length <= GROUP_LABEL_MAX ? label : label.slice(0, GROUP_LABEL_MAX);
}

/**
 * A job's group label (DESIGN.md §5): the event's `data.group`, else the
 * job's `metadata.group`; a sweep id, a project, a cluster. The one label
 * both grouping (the group key) and mutes of scope `group` use. Pure.
 */
export function groupLabelOf(
  eventData: Record<string, unknown> | null | undefined,
  jobMetadata?: Record<string, unknown> | null,
): string | null {
  return cleanGroupLabel(eventData?.group) ?? cleanGroupLabel(jobMetadata?.group);
}

/** Where a group's messages go: the user's email, or one of their webhooks. */
export type GroupDestination = { channel: "email" } | { channel: "webhook"; webhookId: string };

/**
 * The group key within a user (DESIGN.md §6): destination × alert type ×
 * group label. Unambiguous whatever the label holds (it is JSON). Pure.
 */
export function groupKey(
  destination: GroupDestination,
  alertType: string,
  label: string | null,
): string {
  const to = destination.channel === "email" ? "email" : `webhook:${destination.webhookId}`;
  return JSON.stringify([to, alertType, label]);
}

import type { GroupCard } from "../grouping/group-card";
import { jobLink } from "../templates/facts";

/**
 * An alert as every formatter receives it: everything needed to render,
 * nothing that must not leave the system (no email address). Pure data.
 */
export interface AlertCard {
  id: string;
  type: string;
  title: string;
  message: string;
  jobId: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
  /** Base of links (`ALERTS_APP_URL`). */
  appUrl: string;
  /**
   * The signed one-click mute link ("Mute this job for 8 h"), when the alert
   * is about a job or an event type a user can mute. Absent: no mute link.
   */
  mute?: { url: string; label: string };
  /** Set on a group message's card: the batch it sends (DESIGN.md §6 "Grouping"). */
  group?: GroupCard;
}

/** Where "View Details" points. */
export const jobUrl = (card: AlertCard) => `${card.appUrl}${jobLink(card.jobId).path}`;

export const settingsUrl = (card: AlertCard) => `${card.appUrl}/settings/alerts`;

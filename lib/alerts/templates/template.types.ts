/**
 * An alert rendered for people, before any platform formatting. Templates
 * (one per alert type) produce it from the event data; the Slack, Discord and
 * email formatters lay it out and apply their own escaping and limits.
 */

/** How an alert feels: picks the colour (Discord embed, email accent), nothing else. */
export type AlertLevel = "failure" | "success" | "warning" | "info";

/** One labelled fact, e.g. Model: mistral-7b-custom. */
export interface AlertFact {
  label: string;
  /** One line of user text, not escaped: formatters escape for their platform. */
  value: string;
  /** Too long to sit beside other facts (Discord inline fields); default false. */
  wide?: boolean;
}

/** A link the alert offers; `path` is relative to `ALERTS_APP_URL`. */
export interface AlertLink {
  label: string;
  path: string;
}

export interface AlertView {
  /** What happened, in the seed's style ("✅ Training Complete"). Never contains user text. */
  headline: string;
  /** History title and email subject: the headline's words plus what it is about. */
  title: string;
  level: AlertLevel;
  /** One sentence for people who read nothing else (and for notification previews). */
  summary: string;
  /** The facts that apply to the type, most important first. */
  facts: AlertFact[];
  /**
   * The raw error text (traceback, CUDA message, log excerpt). Each formatter
   * keeps the informative tail that fits its platform (errorTail).
   */
  details?: { label: string; text: string };
  /** What the reader might do about it; our words, one sentence. */
  hint?: string;
  link: AlertLink;
}

/** A template: the view of one alert type, from the event data. Pure. */
export type AlertTemplate = (data: Record<string, unknown>, jobId: string | null) => AlertView;

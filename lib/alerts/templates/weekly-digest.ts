import { dayLabel, outcomeWords, readReport, timeOf } from "./report-data";
import { REPORT_LINK, reportFacts, reportLevel, reportSentence } from "./report-facts";
import type { AlertTemplate } from "./template.types";

/**
 * weekly_digest: the daily summary's numbers for seven days, each count
 * compared with the week before, and (in the email) a chart of jobs per day
 * by outcome (formatters/report.email.ts).
 */
export const weeklyDigest: AlertTemplate = (d) => {
  const r = readReport(d);
  if (!r) {
    return {
      headline: "📈 Weekly Training Digest",
      title: "📈 Weekly training digest",
      level: "info",
      summary: "Your training digest for the week.",
      facts: [],
      link: REPORT_LINK,
    };
  }
  const day = dayLabel(r.end_local.slice(0, 10)) || r.label;
  const until = timeOf(r.end_local);
  return {
    headline: "📈 Weekly Training Digest",
    title: `📈 Training digest, week to ${day}: ${outcomeWords(r.totals)}`,
    level: reportLevel(r.totals),
    summary: reportSentence(r, `In the week to ${until ? `${until} on ` : ""}${day}`),
    facts: reportFacts(r),
    link: REPORT_LINK,
  };
};

import { dayLabel, outcomeWords, readReport, timeOf } from "./report-data";
import { REPORT_LINK, reportFacts, reportLevel, reportSentence } from "./report-facts";
import type { AlertTemplate } from "./template.types";

/**
 * daily_summary: the day's jobs by outcome, success rate, training time and
 * GPU-hours, the best loss per model, failures with their key error line,
 * resource incidents and what happened to the day's alerts. The email lays
 * the same data out with a loss trend per model (formatters/report.email.ts).
 */
export const dailySummary: AlertTemplate = (d) => {
  const r = readReport(d);
  if (!r) {
    return {
      headline: "📊 Daily Training Summary",
      title: "📊 Daily training summary",
      level: "info",
      summary: "Your training summary for the day.",
      facts: [],
      link: REPORT_LINK,
    };
  }
  const day = dayLabel(r.label);
  const until = timeOf(r.end_local);
  return {
    headline: "📊 Daily Training Summary",
    title: `📊 Training summary ${day}: ${outcomeWords(r.totals)}`,
    level: reportLevel(r.totals),
    summary: reportSentence(r, `In the 24 hours to ${until ? `${until} on ` : ""}${day}`),
    facts: reportFacts(r),
    link: REPORT_LINK,
  };
};

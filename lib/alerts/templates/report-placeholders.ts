import type { AlertTemplate } from "./template.types";
import { asText } from "./text";

// Placeholders until the reports issue builds the daily summary and weekly
// digest; they render `data.summary` as given.

export const dailySummary: AlertTemplate = (d) => ({
  headline: "📊 Daily Training Summary",
  title: "📊 Daily training summary",
  level: "info",
  summary: asText(d.summary) ?? "Your training summary for the day.",
  facts: [],
  link: { label: "View History", path: "/alerts/history" },
});

export const weeklyDigest: AlertTemplate = (d) => ({
  headline: "📈 Weekly Training Digest",
  title: "📈 Weekly training digest",
  level: "info",
  summary: asText(d.summary) ?? "Your training digest for the week.",
  facts: [],
  link: { label: "View History", path: "/alerts/history" },
});

import { type AlertCard, jobUrl } from "./card";
import { alertError, alertFields, truncate } from "./fields";

// Slack Block Kit limits.
const HEADER_MAX = 150;
const FIELD_MAX = 2000;
const FIELDS_MAX = 10;
const SECTION_MAX = 3000;

/** A Slack incoming-webhook payload shaped like the seed's example. Pure. */
export function formatSlack(card: AlertCard): Record<string, unknown> {
  const fields = alertFields(card)
    .slice(0, FIELDS_MAX)
    .map((f) => ({ type: "mrkdwn", text: truncate(`*${f.name}:*\n${f.value}`, FIELD_MAX) }));
  const error = alertError(card);
  const blocks: Record<string, unknown>[] = [
    {
      type: "header",
      text: { type: "plain_text", text: truncate(card.title, HEADER_MAX), emoji: true },
    },
  ];
  if (fields.length > 0) blocks.push({ type: "section", fields });
  else
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: truncate(card.message, SECTION_MAX) },
    });
  if (error) {
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: truncate(`\`\`\`${error}\`\`\``, SECTION_MAX) },
    });
  }
  blocks.push({
    type: "actions",
    elements: [
      { type: "button", text: { type: "plain_text", text: "View Details" }, url: jobUrl(card) },
    ],
  });
  return { text: truncate(`${card.title} — ${card.message}`, SECTION_MAX), blocks };
}

import { jobLink } from "../templates/facts";
import { isTemplateType, renderTemplate } from "../templates/index";
import type { AlertView } from "../templates/template.types";
import { asLine, asText } from "../templates/text";
import type { AlertCard } from "./card";

/**
 * The template view of the card's alert. A type without a template (a newer
 * producer, an older row) still renders, from the stored title and message.
 */
export function cardView(card: AlertCard): AlertView {
  if (isTemplateType(card.type)) return renderTemplate(card.type, card.data, card.jobId);
  const title = asLine(card.title) ?? "🔔 Alert";
  return {
    headline: title,
    title,
    level: "info",
    summary: asText(card.message) ?? title,
    facts: [],
    link: jobLink(card.jobId),
  };
}

/** The absolute URL of the view's link. */
export const linkUrl = (card: AlertCard, view: AlertView) => `${card.appUrl}${view.link.path}`;

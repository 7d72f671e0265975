import { fact, present } from "./facts";
import type { AlertTemplate } from "./template.types";
import { asLine } from "./text";

/** webhook_disabled: a webhook was switched off (revoked, or failing too often). */
export const webhookDisabled: AlertTemplate = (d) => {
  const name = asLine(d.webhook_name);
  const reason = asLine(d.reason) ?? "it kept failing";
  return {
    headline: "⚠️ Webhook Disabled",
    title: `⚠️ Webhook disabled: ${name ?? "webhook"}`,
    level: "warning",
    summary: `${name ? `The webhook “${name}”` : "A webhook"} was disabled and gets no alerts until you enable it again.`,
    facts: present(fact("Webhook", name), fact("Reason", reason, true)),
    hint: "Fix the URL or the receiving service, send a test, then enable the webhook again.",
    link: { label: "Review Webhooks", path: "/settings/alerts/webhooks" },
  };
};

import { WEBHOOK_TYPES, type WebhookType } from "./alert.types";

/**
 * "Paste the URL you were given": the destination kind a webhook URL's host
 * and path name, used only when a create omits `webhook_type` (DESIGN.md §5).
 * An explicit type always wins and is never refused because of the host:
 * self-hosted ntfy, Mattermost or Telegram Bot API servers and test receivers
 * are legitimate. Pure.
 */
export function inferWebhookType(url: URL): WebhookType | undefined {
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  const path = url.pathname;
  const under = (domain: string) => host === domain || host.endsWith(`.${domain}`);
  if (host === "hooks.slack.com") return "slack";
  if (
    ["discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"].includes(host) &&
    path.startsWith("/api/webhooks/")
  )
    return "discord";
  // Power Automate "Workflows" webhooks (the replacement of Teams connectors).
  if (under("logic.azure.com") || under("api.powerplatform.com")) return "teams";
  if (host === "api.telegram.org" && /^\/bot[^/]+\//.test(path)) return "telegram";
  if (host === "ntfy.sh") return "ntfy";
  if (host === "events.pagerduty.com" || host === "events.eu.pagerduty.com") return "pagerduty";
  // Mattermost's incoming webhook ids are 26 lowercase letters and digits, on any host.
  if (/^\/hooks\/[a-z0-9]{26}\/?$/.test(path)) return "mattermost";
  return undefined;
}

/**
 * Office 365 connector URLs for Teams (`outlook.office.com/webhook…`,
 * `*.webhook.office.com`), which Microsoft retired in favour of Workflows
 * (https://devblogs.microsoft.com/microsoft365dev/retirement-of-office-365-connectors-within-microsoft-teams/).
 */
export function isRetiredTeamsConnector(url: URL): boolean {
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (host === "webhook.office.com" || host.endsWith(".webhook.office.com")) return true;
  return (
    (host === "outlook.office.com" || host === "outlook.office365.com") &&
    url.pathname.toLowerCase().startsWith("/webhook")
  );
}

export const RETIRED_TEAMS_CONNECTOR =
  "is an Office 365 connector URL for Teams, which Microsoft retired; create a Workflows webhook instead (in the Teams channel: ••• → Workflows → “Post to a channel when a webhook request is received”) and paste the URL it gives you";

/** The 422 message when no type was given and the URL names none. */
export const UNKNOWN_WEBHOOK_TYPE = `could not be inferred from the URL; set webhook_type to one of ${WEBHOOK_TYPES.map((t) => `"${t}"`).join(", ")}`;

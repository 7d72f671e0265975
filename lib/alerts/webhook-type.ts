import { WEBHOOK_TYPES } from "./channels/kinds";

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

import { type EmailContent, emailHeaders, formatEmail } from "../../formatters/email.formatter";
import { formatEmailGroup } from "../../formatters/group/email.group";
import type { Channel } from "../channel.types";
import type { EmailSendResult } from "../email.channel";

export interface EmailPayload extends EmailContent {
  headers: Record<string, string>;
}

/** Email through the configured transport (SMTP, or the file outbox). */
export const emailChannel: Channel<EmailPayload, EmailSendResult> = {
  kind: "email",
  format: (card) => ({ ...formatEmail(card), headers: emailHeaders(card.appUrl) }),
  formatGroup: (group) => ({ ...formatEmailGroup(group), headers: emailHeaders(group.appUrl) }),
  preview: (card) => {
    const mail = formatEmail(card);
    return `Subject: ${mail.subject}\n\n${mail.text}`;
  },
  send: async (payload, destination, io) =>
    io.email
      ? io.email.send({
          to: destination.address,
          ...payload,
          // Stable per delivery, so a repeat is recognisably the same mail.
          messageId: `<${io.deliveryId}@training-alerts>`,
        })
      : {
          ok: false,
          statusCode: null,
          error: "no email transport here",
          retryable: true,
          durationMs: 0,
        },
  classify: ({ ok, retryable, statusCode, error, durationMs }) => ({
    verdict: ok ? "delivered" : retryable ? "retry" : "failed",
    statusCode,
    error,
    durationMs,
  }),
  // The transport pools its own connections; the cap keeps a slow SMTP server to a few of the worker's slots.
  pacing: { minIntervalMs: 0, maxInFlight: 4 },
};

import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per delivery (Message-ID), so a repeat is recognisably the same mail. */
  messageId: string;
  headers?: Record<string, string>;
}

/** What one send came to, as the transport sees it; the email channel's classify reads it. Never thrown. */
export interface EmailSendResult {
  ok: boolean;
  /** The SMTP reply code, when there was one. */
  statusCode: number | null;
  error: string | null;
  /** Worth another attempt later (4xx replies, connection errors); 5xx replies are permanent. */
  retryable: boolean;
  durationMs: number;
}

/**
 * Sends email. The seed's `intelligent_email` tool can implement this
 * interface; we ship SMTP (nodemailer) and a file outbox.
 */
export interface EmailTransport {
  send(message: EmailMessage): Promise<EmailSendResult>;
  close(): void;
}

export interface EmailTransportOptions {
  smtpUrl: string | undefined;
  from: string;
  /** Where the file outbox writes `.eml` files when no SMTP is configured. */
  outboxDir: string;
  /** Open SMTP connections at most. Default 3. */
  maxConnections?: number;
  now?: () => number;
}

export function createEmailTransport(options: EmailTransportOptions): EmailTransport {
  const now = options.now ?? Date.now;
  // Pooled: a burst of alerts reuses a few open connections instead of a
  // TCP + TLS + AUTH handshake per message. Timeouts stay well inside a
  // delivery's 30 s lease so a stuck server fails the attempt (and it retries).
  const smtp = options.smtpUrl
    ? nodemailer.createTransport(
        {
          url: options.smtpUrl,
          pool: true,
          maxConnections: options.maxConnections ?? 3,
          maxMessages: 100,
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 20_000,
        },
        { from: options.from },
      )
    : undefined;
  const file = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });

  return {
    async send(message) {
      const started = now();
      const mail = {
        from: options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: message.messageId,
        headers: message.headers,
      };
      try {
        if (smtp) {
          const info = await smtp.sendMail(mail);
          const code = Number.parseInt(String(info.response ?? "").slice(0, 3), 10);
          return {
            ok: true,
            statusCode: Number.isNaN(code) ? 250 : code,
            error: null,
            retryable: false,
            durationMs: now() - started,
          };
        }
        const info = await file.sendMail(mail);
        await mkdir(options.outboxDir, { recursive: true });
        const name = `${new Date(started).toISOString().replace(/[:.]/g, "-")}-${message.messageId.replace(/[^\w.-]/g, "_")}.eml`;
        await writeFile(path.join(options.outboxDir, name), info.message as Buffer);
        return {
          ok: true,
          statusCode: 250,
          error: null,
          retryable: false,
          durationMs: now() - started,
        };
      } catch (error) {
        const e = error as { responseCode?: number; message?: string };
        // 5xx SMTP replies are permanent (bad address); everything else may pass later.
        const permanent = typeof e.responseCode === "number" && e.responseCode >= 500;
        return {
          ok: false,
          statusCode: e.responseCode ?? null,
          error: e.message ?? String(error),
          retryable: !permanent,
          durationMs: now() - started,
        };
      }
    },
    close() {
      smtp?.close();
    },
  };
}

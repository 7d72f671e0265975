import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ParsedMail, simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { GET as preferences } from "@/app/api/alerts/preferences/route";
import { createEmailTransport, type EmailMessage } from "@/lib/alerts/channels/email.channel";
import { emailHeaders, formatEmail } from "@/lib/alerts/formatters/email.formatter";
import { ALL_TYPES, APP_URL, cardOf, hostileData } from "./helpers/alert-cards";
import { call, makeUser, SERVICE_KEY, startTestApp, type TestApp } from "./helpers/app";
import { manualEngine } from "./helpers/engine";
import { startSmtpServer } from "./helpers/smtp";

const FROM = "Training Alerts <alerts@example.com>";

/** The message the delivery service builds for a card. */
function messageFor(type: string, to: string, data?: Record<string, unknown>): EmailMessage {
  return {
    to,
    ...formatEmail(cardOf(type, data)),
    headers: emailHeaders(APP_URL),
    messageId: `<${randomUUID()}@training-alerts>`,
  };
}

const header = (mail: ParsedMail, name: string) =>
  mail.headerLines.find((h) => h.key === name.toLowerCase())?.line.replace(/^[^:]+:\s*/, "");

describe("email channel over a real SMTP server", () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let transport: ReturnType<typeof createEmailTransport>;
  beforeAll(async () => {
    smtp = await startSmtpServer({
      rejectRecipient: (address) =>
        address.startsWith("gone@")
          ? { code: 550, message: "5.1.1 No such user here" }
          : address.startsWith("busy@")
            ? { code: 451, message: "4.7.1 Greylisted, try again later" }
            : undefined,
      rejectData: ({ to }) =>
        to.some((a) => a.startsWith("spam@"))
          ? { code: 554, message: "5.7.1 Message rejected as spam" }
          : to.some((a) => a.startsWith("full@"))
            ? { code: 452, message: "4.2.2 Mailbox full" }
            : undefined,
    });
    transport = createEmailTransport({ smtpUrl: smtp.url, from: FROM, outboxDir: "" });
  });
  afterAll(async () => {
    transport?.close();
    await smtp?.close();
  });

  it.each(ALL_TYPES)(
    "delivers a %s email with its subject, HTML and text parts and List-Unsubscribe",
    async (type) => {
      const to = `${type.replace(/_/g, "-")}@example.com`;
      const message = messageFor(type, to);
      const result = await transport.send(message);
      expect(result).toMatchObject({ ok: true, statusCode: 250, error: null });

      const received = smtp.mails.find((m) => m.to.includes(to));
      expect(received?.from).toBe("alerts@example.com");
      const mail = await simpleParser(received?.raw ?? "");
      expect(mail.subject).toBe(message.subject);
      expect(mail.messageId).toBe(message.messageId);
      expect(mail.html).toBeTruthy();
      expect(mail.html || "").toContain(`${APP_URL}/settings/alerts`);
      expect(mail.text).toBe(message.text);
      expect(mail.text).toContain("Change which alerts you get");
      expect(header(mail, "List-Unsubscribe")).toBe(`<${APP_URL}/settings/alerts>`);
      expect(header(mail, "List-Unsubscribe-Post")).toBeUndefined();
      expect(header(mail, "Auto-Submitted")).toBe("auto-generated");
    },
  );

  it("delivers hostile content intact: the 50 KB traceback's tail, emoji and escaped HTML", async () => {
    const to = "hostile@example.com";
    const message = messageFor("job_failed", to, hostileData());
    expect((await transport.send(message)).ok).toBe(true);
    const mail = await simpleParser(smtp.mails.find((m) => m.to.includes(to))?.raw ?? "");
    expect(mail.subject).toBe(message.subject);
    expect(mail.text).toBe(message.text);
    expect(mail.html).toBe(message.html);
  });

  it("reports a 550 recipient rejection as a permanent failure, not to be retried", async () => {
    const result = await transport.send(messageFor("job_failed", "gone@example.com"));
    expect(result).toMatchObject({ ok: false, statusCode: 550, retryable: false });
    expect(result.error).toContain("No such user");
  });

  it("reports a 451 recipient deferral as retryable", async () => {
    const result = await transport.send(messageFor("job_failed", "busy@example.com"));
    expect(result).toMatchObject({ ok: false, statusCode: 451, retryable: true });
    expect(result.error).toContain("Greylisted");
  });

  it("reports a 554 rejection of the message as permanent and a 452 as retryable", async () => {
    expect(await transport.send(messageFor("gpu_oom", "spam@example.com"))).toMatchObject({
      ok: false,
      statusCode: 554,
      retryable: false,
    });
    expect(await transport.send(messageFor("gpu_oom", "full@example.com"))).toMatchObject({
      ok: false,
      statusCode: 452,
      retryable: true,
    });
  });

  it("reports an unreachable server as retryable", async () => {
    const gone = await startSmtpServer();
    await gone.close();
    const lost = createEmailTransport({ smtpUrl: gone.url, from: FROM, outboxDir: "" });
    try {
      const result = await lost.send(messageFor("test", "a@example.com"));
      expect(result).toMatchObject({ ok: false, statusCode: null, retryable: true });
      expect(result.error).toMatch(/ECONNREFUSED|connect/i);
    } finally {
      lost.close();
    }
  });

  it("reuses pooled connections for a burst of emails", async () => {
    const server = await startSmtpServer();
    const pooled = createEmailTransport({
      smtpUrl: server.url,
      from: FROM,
      outboxDir: "",
      maxConnections: 2,
    });
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          pooled.send(messageFor("job_completed", `burst-${i}@example.com`)),
        ),
      );
      expect(results.every((r) => r.ok)).toBe(true);
      expect(server.mails).toHaveLength(10);
      expect(server.connections()).toBeLessThanOrEqual(2);
    } finally {
      pooled.close();
      await server.close();
    }
  });
});

describe("email channel without SMTP_URL", () => {
  it("writes a readable .eml file to the outbox", async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "ta-outbox-")), "outbox");
    const outbox = createEmailTransport({
      smtpUrl: undefined,
      from: FROM,
      outboxDir: dir,
      now: () => Date.parse("2026-03-02T12:00:00Z"),
    });
    const message = messageFor("job_failed", "ada@example.com");
    expect(await outbox.send(message)).toMatchObject({ ok: true, statusCode: 250 });
    outbox.close();

    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^2026-03-02T12-00-00-000Z-[\w.-]+\.eml$/);
    const mail = await simpleParser(readFileSync(path.join(dir, files[0] ?? "")));
    expect(mail.subject).toBe(message.subject);
    expect(mail.html).toBe(message.html);
    expect(mail.text).toBe(message.text);
    expect(header(mail, "List-Unsubscribe")).toBe(`<${APP_URL}/settings/alerts>`);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : "").toBe("ada@example.com");
  });
});

describe("email through the delivery service", () => {
  let app: TestApp;
  let engine: Awaited<ReturnType<typeof manualEngine>>;
  beforeAll(async () => {
    app = await startTestApp({ ALERTS_APP_URL: "https://alerts.example.com" });
    engine = await manualEngine(app);
  });
  afterAll(async () => {
    await engine?.stop();
    await app?.close();
  });

  it("sends a failed job's email with the List-Unsubscribe header for the app's settings page", async () => {
    const user = await makeUser(app);
    // Reading preferences provisions the user (and their sign-in email).
    await call(preferences, "GET", "/api/alerts/preferences", { token: user.token });
    const res = await call(postEvent, "POST", "/api/alerts/events", {
      token: SERVICE_KEY,
      body: {
        type: "job_failed",
        user_id: user.id,
        job_id: randomUUID(),
        data: {
          model_name: "llama-3-8b",
          error:
            "Traceback (most recent call last):\nRuntimeError: NCCL error: unhandled system error",
        },
      },
    });
    expect(res.status).toBe(202);
    await engine.drain();
    const received = engine.mails.find((m) => m.to.includes(user.email));
    const mail = await simpleParser(received?.raw ?? "");
    expect(mail.subject).toBe("❌ Training failed: llama-3-8b");
    expect(mail.text).toContain("RuntimeError: NCCL error: unhandled system error");
    expect(header(mail, "List-Unsubscribe")).toBe("<https://alerts.example.com/settings/alerts>");
  });
});

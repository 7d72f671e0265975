import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import nodemailer from "nodemailer";
import { describe, expect, it } from "vitest";
import { isOutboxName, listOutbox, readOutboxMessage } from "@/lib/web/outbox";

/** Writes a message exactly as the email channel's file outbox does. */
async function writeMail(dir: string, name: string, mail: Record<string, unknown>, when: Date) {
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: "unix",
  });
  const info = await transport.sendMail({ from: "alerts@localhost", ...mail });
  const file = path.join(dir, name);
  writeFileSync(file, info.message as Buffer);
  utimesSync(file, when, when);
}

describe("the outbox view", () => {
  it("lists emails newest first with decoded subjects, and reads text and HTML bodies", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ta-outbox-"));
    await writeMail(
      dir,
      "2026-03-01T10-00-00-000Z-a.eml",
      {
        to: "ada@example.com",
        subject: "✅ Training complete: llama-7b",
        text: "Done: loss 0.342 — déjà vu",
        html: "<h1>Done</h1><p>déjà vu</p>",
        date: new Date("2026-03-01T10:00:00Z"),
      },
      new Date("2026-03-01T10:00:00Z"),
    );
    await writeMail(
      dir,
      "2026-03-01T11-00-00-000Z-b.eml",
      { to: "bob@example.com", subject: "Plain subject", text: `${"long line ".repeat(30)}end` },
      new Date("2026-03-01T11:00:00Z"),
    );
    writeFileSync(path.join(dir, "notes.txt"), "not an email");

    const list = await listOutbox(dir);
    expect(list.map((m) => [m.subject, m.to])).toEqual([
      ["Plain subject", "bob@example.com"],
      ["✅ Training complete: llama-7b", "ada@example.com"],
    ]);
    expect(list[1]?.date.toISOString()).toBe("2026-03-01T10:00:00.000Z");

    const first = await readOutboxMessage(dir, "2026-03-01T10-00-00-000Z-a.eml");
    expect(first?.text).toBe("Done: loss 0.342 — déjà vu");
    expect(first?.html).toBe("<h1>Done</h1><p>déjà vu</p>");
    const second = await readOutboxMessage(dir, "2026-03-01T11-00-00-000Z-b.eml");
    expect(second?.text).toBe(`${"long line ".repeat(30)}end`);
    expect(second?.html).toBeUndefined();
  });

  it("is empty when nothing was written yet", async () => {
    expect(await listOutbox(path.join(tmpdir(), "ta-outbox-missing-dir"))).toEqual([]);
  });

  it("opens only .eml files inside the outbox", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ta-outbox-"));
    for (const name of [
      "../secrets.eml",
      "..",
      "a/b.eml",
      ".hidden.eml",
      "x.txt",
      "local-secrets.json",
    ]) {
      expect(isOutboxName(name)).toBe(false);
      expect(await readOutboxMessage(dir, name)).toBeUndefined();
    }
    expect(await readOutboxMessage(dir, "missing.eml")).toBeUndefined();
  });
});

import { randomUUID } from "node:crypto";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { POST as createKey } from "@/app/api/alerts/keys/route";
import { PUT as putPrefs } from "@/app/api/alerts/preferences/route";
import { POST as createWebhook } from "@/app/api/alerts/webhooks/route";
import { POST as logs } from "@/app/api/training/jobs/[id]/logs/route";
import { PUT as putJob } from "@/app/api/training/jobs/[id]/route";
import {
  DISCORD_LIMITS,
  type DiscordPayload,
  embedLength,
} from "@/lib/alerts/formatters/discord.formatter";
import { SLACK_LIMITS, type SlackPayload } from "@/lib/alerts/formatters/slack.formatter";
import { FINAL_EXCEPTION, hostileName, hugeTraceback } from "./helpers/alert-cards";
import { call, makeUser, SERVICE_KEY, startTestApp, type TestApp } from "./helpers/app";
import { manualEngine } from "./helpers/engine";
import { startReceiver } from "./helpers/receiver";

let app: TestApp;
let engine: Awaited<ReturnType<typeof manualEngine>>;
beforeAll(async () => {
  app = await startTestApp({
    ALERTS_WEBHOOK_ALLOW_HTTP: "true",
    ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.0/8",
  });
  engine = await manualEngine(app);
});
afterAll(async () => {
  await engine?.stop();
  await app?.close();
});

const job = (id: string, body: Record<string, unknown>) =>
  call(putJob, "PUT", `/api/training/jobs/${id}`, { token: SERVICE_KEY, body, params: { id } });

describe("long display fields never cost an alert", () => {
  it("a job_failed event with a 400-character model_name is accepted and delivered to every channel within its limits", async () => {
    const user = await makeUser(app);
    await call(putPrefs, "PUT", "/api/alerts/preferences", {
      token: user.token,
      body: { email_address: user.email },
    });
    const receiver = await startReceiver();
    for (const type of ["slack", "discord", "generic"]) {
      const res = await call(createWebhook, "POST", "/api/alerts/webhooks", {
        token: user.token,
        body: { name: type, url: `${receiver.url}/${type}`, webhook_type: type },
      });
      expect(res.status).toBe(201);
    }
    const key = (
      await call<{ key: string }>(createKey, "POST", "/api/alerts/keys", {
        token: user.token,
        body: { name: "sweep runner" },
      })
    ).body.key;
    const name = hostileName(400);
    const jobId = randomUUID();
    const res = await call(postEvent, "POST", "/api/alerts/events", {
      token: key,
      body: {
        type: "job_failed",
        job_id: jobId,
        data: { model_name: name, error: hugeTraceback(40_000), duration_seconds: 60 },
      },
    });
    expect(res.status).toBe(202);
    await engine.drain();
    await receiver.waitFor(3);

    const body = (type: string) => {
      const got = receiver.requests.find((r) => r.url.split("?")[0] === `/${type}`);
      if (!got) throw new Error(`the ${type} webhook received nothing`);
      return JSON.parse(got.body);
    };
    const slack = body("slack") as SlackPayload;
    const header = slack.blocks.find((b) => b.type === "header");
    expect(header?.type === "header" && header.text.text.length).toBeLessThanOrEqual(
      SLACK_LIMITS.header,
    );
    expect(slack.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
    expect(slack.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const block of slack.blocks) {
      if (block.type !== "section") continue;
      expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      for (const f of block.fields ?? [])
        expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.field);
    }

    const embed = (body("discord") as DiscordPayload).embeds[0];
    expect(embed.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    expect(embed.fields.find((f) => f.name === "Model")?.value.length).toBeGreaterThan(0);
    for (const f of embed.fields)
      expect(f.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    expect(JSON.stringify(embed)).toContain(FINAL_EXCEPTION.slice(0, 40));

    const generic = body("generic") as { type: string; data: Record<string, unknown> };
    expect(generic.type).toBe("job_failed");
    expect(generic.data.model_name).toBe(name);

    const mail = engine.mails.find((m) => m.to.includes(user.email));
    if (!mail) throw new Error("no email arrived");
    const parsed = await simpleParser(mail.raw);
    expect(parsed.subject?.length ?? 0).toBeGreaterThan(0);
    expect(parsed.subject?.length ?? 0).toBeLessThanOrEqual(200);

    const { rows } = await app.ctx.db.query<{ channel: string; status: string }>(
      `select d.channel, d.status from alert_deliveries d
       join alert_history h on h.id = d.alert_id where h.job_id = $1`,
      [jobId],
    );
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.status === "delivered")).toBe(true);
    await receiver.close();
  });

  it("stores a 5,000-character model_name cut to 1,000 with an ellipsis, and keeps an error's end", async () => {
    const user = await makeUser(app);
    const id = randomUUID();
    const res = await job(id, {
      user_id: user.id,
      status: "running",
      model_name: "m".repeat(5000),
      error: `${"frame\n".repeat(6000)}${FINAL_EXCEPTION}`,
    });
    expect(res.status).toBe(201);
    const model = String(res.body.model_name);
    expect(model).toHaveLength(1000);
    expect(model.endsWith("…")).toBe(true);
    const error = String(res.body.error);
    expect(error.length).toBeLessThanOrEqual(20_000);
    expect(error.endsWith(FINAL_EXCEPTION)).toBe(true);
  });

  it("accepts a 3,000-character disk path and a 20,000-character log line", async () => {
    const user = await makeUser(app);
    const disk = await call(postEvent, "POST", "/api/alerts/events", {
      token: SERVICE_KEY,
      body: {
        type: "disk_warning",
        user_id: user.id,
        data: { disk_path: `/mnt/${"d".repeat(3000)}`, disk_used_percent: 95 },
      },
    });
    expect(disk.status).toBe(202);
    const id = randomUUID();
    expect((await job(id, { user_id: user.id, status: "running" })).status).toBe(201);
    const line = `torch.OutOfMemoryError: CUDA out of memory. ${"x".repeat(20_000)}`;
    const oom = await call(logs, "POST", `/api/training/jobs/${id}/logs`, {
      token: SERVICE_KEY,
      body: { lines: [line] },
      params: { id },
    });
    expect(oom.status).toBe(200);
    expect(oom.body.oom).toBe(true);
  });

  it("still refuses identifiers, types and numbers that are wrong", async () => {
    const user = await makeUser(app);
    const bad = await call(postEvent, "POST", "/api/alerts/events", {
      token: SERVICE_KEY,
      body: {
        type: "job_failed",
        user_id: user.id,
        job_id: "not-a-uuid",
        data: { model_name: 42, duration_seconds: "long" },
      },
    });
    expect(bad.status).toBe(422);
    const paths = (bad.body.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(["data.duration_seconds", "data.model_name", "job_id"]);
  });
});

import { describe, expect, it } from "vitest";
import { inferWebhookType } from "./channels/kinds";
import { isRetiredTeamsConnector } from "./webhook-type";

const infer = (url: string) => inferWebhookType(new URL(url));

describe("webhook type inference", () => {
  it.each([
    ["https://hooks.slack.com/services/T000/B000/XXXX", "slack"],
    ["https://discord.com/api/webhooks/123/abc", "discord"],
    ["https://discordapp.com/api/webhooks/123/abc", "discord"],
    ["https://canary.discord.com/api/webhooks/123/abc", "discord"],
    [
      "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=x",
      "teams",
    ],
    [
      "https://default0123.4e.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?sig=x",
      "teams",
    ],
    ["https://api.telegram.org/bot123456:ABC-DEF/sendMessage?chat_id=-100123", "telegram"],
    ["https://ntfy.sh/my-training-topic", "ntfy"],
    ["https://events.pagerduty.com/v2/enqueue", "pagerduty"],
    ["https://events.eu.pagerduty.com/v2/enqueue", "pagerduty"],
    ["https://chat.example.org/hooks/xmu7yjm9ab8hbxqzq3g5ym9tqa", "mattermost"],
  ])("infers %s as %s", (url, type) => {
    expect(infer(url)).toBe(type);
  });

  it.each([
    "https://example.com/hooks",
    "https://discord.com/channels/123",
    "https://api.telegram.org/file/abc",
    "https://ntfy.example.com/topic",
    "https://evil-logic.azure.com.example/workflows",
    "https://hooks.slack.com.evil.example/services/x",
    "https://chat.example.org/hooks/TooShort",
  ])("infers nothing from %s", (url) => {
    expect(infer(url)).toBeUndefined();
  });

  it.each([
    ["https://outlook.office.com/webhook/abc@def/IncomingWebhook/x/y", true],
    ["https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/x/y", true],
    ["https://outlook.office.com/mail", false],
    ["https://prod-1.westus.logic.azure.com/workflows/x", false],
  ])("knows %s is a retired Teams connector: %s", (url, retired) => {
    expect(isRetiredTeamsConnector(new URL(url))).toBe(retired);
  });
});

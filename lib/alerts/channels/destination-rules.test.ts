import { describe, expect, it } from "vitest";
import { isMattermostRevoked } from "./mattermost/rules";
import { isNtfyRevoked, NTFY_DAILY_QUOTA_WAIT_MS, ntfyRetryAfter, ntfyTarget } from "./ntfy/rules";
import { classifyPagerDuty } from "./pagerduty/index";
import { isPagerDutyRevoked } from "./pagerduty/rules";
import { isTeamsRevoked } from "./teams/rules";
import {
  isTelegramRevoked,
  telegramMigratedChatId,
  telegramRetryAfter,
  telegramTarget,
  withChatId,
} from "./telegram/rules";

const tg = (code: number, description: string, parameters?: object) =>
  JSON.stringify({
    ok: false,
    error_code: code,
    description,
    ...(parameters ? { parameters } : {}),
  });

describe("Telegram's answers", () => {
  it.each([
    [401, tg(401, "Unauthorized")],
    [403, tg(403, "Forbidden: bot was blocked by the user")],
    [403, tg(403, "Forbidden: bot was kicked from the group chat")],
    [400, tg(400, "Bad Request: chat not found")],
  ])("treat %i %s as revoked", (status, body) => {
    expect(isTelegramRevoked(status, body)).toBe(true);
  });

  it("do not treat a malformed message or flood control as revoked", () => {
    expect(isTelegramRevoked(400, tg(400, "Bad Request: can't parse entities"))).toBe(false);
    expect(
      isTelegramRevoked(429, tg(429, "Too Many Requests: retry after 7", { retry_after: 7 })),
    ).toBe(false);
  });

  it("read flood control's parameters.retry_after in seconds", () => {
    expect(
      telegramRetryAfter(tg(429, "Too Many Requests: retry after 7", { retry_after: 7 })),
    ).toBe(7000);
    expect(telegramRetryAfter("not json")).toBeUndefined();
    expect(telegramRetryAfter(tg(429, "x", { retry_after: "7" }))).toBeUndefined();
  });

  it("read the supergroup a group migrated to, and put it in the URL", () => {
    const body = tg(400, "Bad Request: group chat was upgraded to a supergroup chat", {
      migrate_to_chat_id: -1001234567890,
    });
    expect(telegramMigratedChatId(400, body)).toBe("-1001234567890");
    expect(telegramMigratedChatId(400, tg(400, "Bad Request: chat not found"))).toBeUndefined();
    const url = "https://api.telegram.org/bot1:abc/sendMessage?chat_id=-42";
    expect(withChatId(url, "-1001234567890")).toBe(
      "https://api.telegram.org/bot1:abc/sendMessage?chat_id=-1001234567890",
    );
    expect(telegramTarget(url)).toEqual({
      endpoint: "https://api.telegram.org/bot1:abc/sendMessage",
      chatId: "-42",
    });
  });
});

describe("ntfy's answers", () => {
  it("treat 401 and 403 as revoked", () => {
    expect(isNtfyRevoked(401)).toBe(true);
    expect(isNtfyRevoked(403)).toBe(true);
    expect(isNtfyRevoked(429)).toBe(false);
  });

  it("wait an hour after the daily quota (42908), and leave other 429s to the schedule", () => {
    const quota = JSON.stringify({
      code: 42908,
      http: 429,
      error: "limit reached: too many messages",
    });
    const burst = JSON.stringify({
      code: 42901,
      http: 429,
      error: "limit reached: too many requests, please be nice",
    });
    expect(ntfyRetryAfter(quota)).toBe(NTFY_DAILY_QUOTA_WAIT_MS);
    expect(ntfyRetryAfter(burst)).toBeUndefined();
  });

  it("publish JSON to the server's root with the topic in the body", () => {
    expect(ntfyTarget("https://ntfy.sh/my-topic")).toEqual({
      endpoint: "https://ntfy.sh/",
      topic: "my-topic",
    });
    expect(ntfyTarget("https://ntfy.example.com:8443/alerts")).toEqual({
      endpoint: "https://ntfy.example.com:8443/",
      topic: "alerts",
    });
  });

  it("keep a server's sub-path: the topic is the last segment, the root all before it", () => {
    expect(ntfyTarget("https://example.com/ntfy/my-topic")).toEqual({
      endpoint: "https://example.com/ntfy/",
      topic: "my-topic",
    });
    expect(ntfyTarget("https://example.com/tools/ntfy/my%20topic/")).toEqual({
      endpoint: "https://example.com/tools/ntfy/",
      topic: "my topic",
    });
  });
});

describe("PagerDuty, Teams and Mattermost answers", () => {
  it("skip, not deliver, a type PagerDuty does not take", () => {
    expect(
      classifyPagerDuty({ kind: "skipped", reason: "PagerDuty takes no job_started alerts" }),
    ).toEqual({
      verdict: "skipped",
      statusCode: null,
      error: "PagerDuty takes no job_started alerts",
      durationMs: 0,
    });
  });

  it("revoke on PagerDuty's Invalid routing key only", () => {
    const invalidKey = JSON.stringify({
      status: "invalid event",
      message: "Event object is invalid",
      errors: ["Invalid routing key"],
    });
    expect(isPagerDutyRevoked(400, invalidKey)).toBe(true);
    expect(
      isPagerDutyRevoked(400, JSON.stringify({ errors: ["'payload.summary' is missing"] })),
    ).toBe(false);
  });

  it("revoke on Teams' 404 and 401 DirectApiAuthorizationRequired", () => {
    const unauthorized = JSON.stringify({
      error: {
        code: "DirectApiAuthorizationRequired",
        message: "The request must be authenticated only by Shared Access scheme.",
      },
    });
    expect(isTeamsRevoked(401, unauthorized)).toBe(true);
    expect(isTeamsRevoked(404, "")).toBe(true);
    expect(isTeamsRevoked(401, "")).toBe(false);
    expect(isTeamsRevoked(429, "")).toBe(false);
  });

  it("revoke on a deleted Mattermost hook", () => {
    const invalid = JSON.stringify({
      id: "web.incoming_webhook.invalid.app_error",
      message: "Invalid webhook",
      status_code: 400,
    });
    expect(isMattermostRevoked(400, invalid)).toBe(true);
    expect(isMattermostRevoked(404, "")).toBe(true);
    expect(
      isMattermostRevoked(400, JSON.stringify({ id: "web.incoming_webhook.text.app_error" })),
    ).toBe(false);
  });
});

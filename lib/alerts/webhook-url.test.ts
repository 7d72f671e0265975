import { describe, expect, it } from "vitest";
import { maskUrl } from "./webhook-url";

describe("webhook URL masking", () => {
  it.each([
    ["https://hooks.slack.com/services/T000/B000/XXXXXXXX", "https://hooks.slack.com/services/…"],
    ["https://discord.com/api/webhooks/123/abcdef", "https://discord.com/api/…"],
    ["https://example.com:8443/hook?token=abc", "https://example.com:8443/hook/…"],
    ["https://example.com/", "https://example.com/"],
    ["https://example.com/hook", "https://example.com/hook"],
    ["https://example.com/0123456789abcdefXYZ", "https://example.com/0123…/…"],
  ])("shows %s as %s", (url, masked) => {
    expect(maskUrl(new URL(url))).toBe(masked);
  });
});

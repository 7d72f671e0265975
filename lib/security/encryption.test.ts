import { describe, expect, it } from "vitest";
import type { EncryptionKey } from "../config/config";
import { decrypt, decryptRemembered, encrypt, isEncrypted } from "./encryption";

const key = (id: string, fill: number): EncryptionKey => ({ id, key: Buffer.alloc(32, fill) });

describe("encryption at rest", () => {
  it("round-trips a value and never stores it in clear", () => {
    const keys = [key("k1", 1)];
    const stored = encrypt(keys, "https://hooks.slack.com/services/T0/B0/secretpath", "p");
    expect(isEncrypted(stored)).toBe(true);
    expect(stored).not.toContain("secretpath");
    expect(stored.startsWith("enc:v1:k1:")).toBe(true);
    expect(decrypt(keys, stored, "p")).toBe("https://hooks.slack.com/services/T0/B0/secretpath");
  });

  it("uses a fresh nonce each time", () => {
    const keys = [key("k1", 1)];
    expect(encrypt(keys, "same", "p")).not.toBe(encrypt(keys, "same", "p"));
  });

  it("decrypts values written under an older key after rotation", () => {
    const stored = encrypt([key("old", 2)], "secret", "p");
    expect(decrypt([key("new", 3), key("old", 2)], stored, "p")).toBe("secret");
    expect(() => decrypt([key("new", 3)], stored, "p")).toThrow(/ALERTS_ENCRYPTION_KEYS_OLD/);
  });

  it("refuses a value moved to another column or tampered with", () => {
    const keys = [key("k1", 1)];
    const stored = encrypt(keys, "secret", "user_webhooks.secret");
    expect(() => decrypt(keys, stored, "user_webhooks.url")).toThrow();
    const parts = stored.split(":");
    const body = Buffer.from(parts[4] ?? "", "base64url");
    body[0] = (body[0] ?? 0) ^ 1;
    parts[4] = body.toString("base64url");
    expect(() => decrypt(keys, parts.join(":"), "user_webhooks.secret")).toThrow();
  });

  it("remembers a decrypted value only while the key that wrote it is configured", () => {
    const old = key("old", 2);
    const stored = encrypt([old], "https://example.com/hook", "p");
    expect(decryptRemembered([key("new", 3), old], stored, "p")).toBe("https://example.com/hook");
    expect(decryptRemembered([old], stored, "p")).toBe("https://example.com/hook");
    expect(() => decryptRemembered([key("new", 3)], stored, "p")).toThrow(
      /ALERTS_ENCRYPTION_KEYS_OLD/,
    );
    // Same id, other bytes: the remembered answer is not the replacement key's to give.
    expect(() => decryptRemembered([key("old", 4)], stored, "p")).toThrow();
  });

  it("refuses a remembered value asked for under another purpose", () => {
    const keys = [key("k1", 1)];
    const stored = encrypt(keys, "secret", "user_webhooks.secret");
    expect(decryptRemembered(keys, stored, "user_webhooks.secret")).toBe("secret");
    expect(() => decryptRemembered(keys, stored, "user_webhooks.url")).toThrow();
  });
});

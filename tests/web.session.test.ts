import { describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config/config";
import { createAuthenticator } from "@/lib/http/auth";
import { HttpError } from "@/lib/http/errors";
import { userIdForEmail } from "@/lib/http/tokens";
import { DEV_SESSION_SECONDS, mintDevSession } from "@/lib/web/dev-session";

const keys = {
  ALERTS_SERVICE_KEY: "k".repeat(30),
  ALERTS_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
};
const local = parseConfig(keys, {
  jwtSecret: "local-secret-that-is-long-enough-0123456789",
  serviceKey: "unused",
  encryptionKey: keys.ALERTS_ENCRYPTION_KEY,
});
const now = new Date("2026-03-01T12:00:00Z");

describe("dev sign-in", () => {
  it("signs any email in as the same user `npm run token -- --email` gives, with a token the API accepts", async () => {
    const minted = await mintDevSession(local, "  Ada@Example.com ", now);
    expect(minted.email).toBe("ada@example.com");
    expect(minted.userId).toBe(userIdForEmail("ada@example.com"));
    expect(minted.maxAge).toBe(DEV_SESSION_SECONDS);
    const caller = await createAuthenticator(local, () => now).authenticate(
      new Request("http://x/", { headers: { authorization: `Bearer ${minted.token}` } }),
    );
    expect(caller).toEqual({ kind: "user", userId: minted.userId, email: "ada@example.com" });
  });

  it("names the email field when the address is not one", async () => {
    const error = await mintDevSession(local, "not-an-email", now).catch((e) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(422);
    expect(error.options.errors).toEqual([{ path: "email", message: expect.any(String) }]);
  });

  it("does not exist when auth is configured: 404, whatever the email", async () => {
    const configured = parseConfig({ ...keys, SUPABASE_JWT_SECRET: "s".repeat(40) });
    expect(configured.localMode).toBe(false);
    const error = await mintDevSession(configured, "ada@example.com", now).catch((e) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(404);
  });
});

describe("Supabase sign-in configuration", () => {
  const supabase = {
    ...keys,
    SUPABASE_URL: "https://abc.supabase.co",
    NEXT_PUBLIC_SUPABASE_URL: "https://abc.supabase.co/",
    NEXT_PUBLIC_SUPABASE_ANON_KEY: "anon-key-0123456789-abcdefghij",
  };

  it("is read from the two public variables", () => {
    expect(parseConfig(supabase).webAuth).toEqual({
      supabaseUrl: "https://abc.supabase.co",
      anonKey: "anon-key-0123456789-abcdefghij",
      oauthProviders: [],
    });
    expect(
      parseConfig({ ...supabase, ALERTS_SUPABASE_OAUTH_PROVIDERS: "github, google,github" }).webAuth
        ?.oauthProviders,
    ).toEqual(["github", "google"]);
    expect(() => parseConfig({ ...supabase, ALERTS_SUPABASE_OAUTH_PROVIDERS: "Git Hub" })).toThrow(
      /ALERTS_SUPABASE_OAUTH_PROVIDERS: must be a comma list/,
    );
    expect(parseConfig({ ...keys, SUPABASE_URL: "https://abc.supabase.co" }).webAuth).toBe(
      undefined,
    );
  });

  it("refuses half a setting, naming the missing variable", () => {
    expect(() => parseConfig({ ...supabase, NEXT_PUBLIC_SUPABASE_ANON_KEY: undefined })).toThrow(
      /NEXT_PUBLIC_SUPABASE_ANON_KEY: must be set too/,
    );
  });

  it("refuses Supabase sign-in when the API could not verify its tokens", () => {
    const secrets = {
      jwtSecret: "x".repeat(40),
      serviceKey: "unused",
      encryptionKey: keys.ALERTS_ENCRYPTION_KEY,
    };
    expect(() => parseConfig({ ...supabase, SUPABASE_URL: undefined }, secrets)).toThrow(
      /set SUPABASE_URL \(or SUPABASE_JWT_SECRET\)/,
    );
  });
});

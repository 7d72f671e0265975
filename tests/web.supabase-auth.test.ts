import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSupabaseAuth, SupabaseAuthError } from "@/lib/web/supabase-auth";

/**
 * A stand-in for Supabase Auth (GoTrue) on a real socket, answering the way
 * GoTrue does: a session for the right password or refresh token, its error
 * bodies otherwise.
 */
let server: http.Server;
let url: string;
const seen: { path: string; apikey: string | undefined; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      seen.push({ path: req.url ?? "", apikey: req.headers.apikey as string, body });
      const json = body ? JSON.parse(body) : {};
      res.setHeader("content-type", "application/json");
      if (req.url === "/auth/v1/token?grant_type=password" && json.password === "right") {
        res.end(JSON.stringify({ access_token: "at1", refresh_token: "rt1", expires_in: 3600 }));
      } else if (
        req.url === "/auth/v1/token?grant_type=refresh_token" &&
        json.refresh_token === "rt1"
      ) {
        res.end(JSON.stringify({ access_token: "at2", refresh_token: "rt2", expires_in: 1800 }));
      } else if (req.url?.startsWith("/auth/v1/logout")) {
        res.statusCode = 204;
        res.end();
      } else {
        res.statusCode = 400;
        res.end(
          JSON.stringify({
            code: 400,
            error_code: "invalid_credentials",
            msg: "Invalid login credentials",
          }),
        );
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("Supabase Auth over REST", () => {
  it("signs in with a password and refreshes the session, sending the anon key", async () => {
    const auth = createSupabaseAuth({ supabaseUrl: `${url}/`, anonKey: "anon" });
    expect(await auth.signInWithPassword("a@example.com", "right")).toEqual({
      accessToken: "at1",
      refreshToken: "rt1",
      expiresIn: 3600,
    });
    expect(await auth.refresh("rt1")).toEqual({
      accessToken: "at2",
      refreshToken: "rt2",
      expiresIn: 1800,
    });
    expect(seen.every((s) => s.apikey === "anon")).toBe(true);
  });

  it("passes on GoTrue's own words when it refuses", async () => {
    const auth = createSupabaseAuth({ supabaseUrl: url, anonKey: "anon" });
    const error = await auth.signInWithPassword("a@example.com", "wrong").catch((e) => e);
    expect(error).toBeInstanceOf(SupabaseAuthError);
    expect(error.message).toBe("Invalid login credentials");
    expect(error.status).toBe(400);
  });

  it("says Supabase is unreachable rather than that the password is wrong", async () => {
    const auth = createSupabaseAuth({ supabaseUrl: "http://127.0.0.1:1", anonKey: "anon" });
    const error = await auth.signInWithPassword("a@example.com", "right").catch((e) => e);
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/could not be reached/);
  });

  it("signs out without failing, even when Supabase is away", async () => {
    await createSupabaseAuth({ supabaseUrl: url, anonKey: "anon" }).signOut("at2");
    expect(seen.at(-1)?.path).toBe("/auth/v1/logout?scope=local");
    await createSupabaseAuth({ supabaseUrl: "http://127.0.0.1:1", anonKey: "anon" }).signOut("x");
  });
});

import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getPreferences } from "@/app/api/alerts/preferences/route";
import { parseConfig } from "@/lib/config/config";
import { type Authenticator, createAuthenticator } from "@/lib/http/auth";
import { HttpError } from "@/lib/http/errors";
import { signUserToken } from "@/lib/http/tokens";
import {
  type CallResult,
  call,
  ENCRYPTION_KEY,
  JWT_SECRET,
  makeUser,
  SERVICE_KEY,
  startTestApp,
  type TestApp,
} from "./helpers/app";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** An unsigned token: `alg: none` and an empty signature. */
function unsignedToken(sub: string, now: Date): string {
  const header = b64url({ alg: "none", typ: "JWT" });
  const payload = b64url({
    sub,
    email: "none@example.com",
    aud: "authenticated",
    role: "authenticated",
    iat: seconds(now),
    exp: seconds(now) + 3600,
  });
  return `${header}.${payload}.`;
}

function expectUnauthenticated(res: CallResult, detail?: RegExp) {
  expect(res.status).toBe(401);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm=/);
  expect(res.body).toMatchObject({
    status: 401,
    type: "/problems/unauthenticated",
    code: "unauthenticated",
  });
  if (detail) expect(res.body.detail).toMatch(detail);
}

async function authUsersCount(id: string): Promise<number> {
  const { rows } = await app.ctx.db.query<{ n: number }>(
    "select count(*)::int as n from auth.users where id = $1",
    [id],
  );
  return rows[0]?.n ?? 0;
}

describe("user routes without a valid user token", () => {
  it("answer GET preferences without an Authorization header with 401 problem+json and a WWW-Authenticate challenge", async () => {
    const res = await call(getPreferences, "GET", "/api/alerts/preferences");
    expectUnauthenticated(res, /no Authorization header/);
  });

  it.each([
    ["Basic x"],
    ["Basic dXNlcjpwYXNz"],
    ["Bearer"],
    ["Bearer "],
    ["Token abc.def.ghi"],
    ["Bearer a.b.c extra"],
    ["Bearer not-a-jwt"],
    ["Bearer a.b"],
    ["Bearer a.b.c"],
  ])("answer the malformed header %j with 401", async (authorization) => {
    const res = await call(getPreferences, "GET", "/api/alerts/preferences", {
      headers: { authorization },
    });
    expectUnauthenticated(res);
  });

  it("answer a token that expired before it was sent with 401 saying it expired", async () => {
    const now = app.ctx.clock();
    const token = await signUserToken(JWT_SECRET, {
      sub: randomUUID(),
      now: new Date(now.getTime() - 2 * 3600_000),
      expiresIn: 60,
    });
    const res = await call(getPreferences, "GET", "/api/alerts/preferences", { token });
    expectUnauthenticated(res, /expired/);
  });

  it("answer a token with 401 once the clock passes its expiry, allowing 30 seconds of skew", async () => {
    const user = await makeUser(app);
    const issued = app.ctx.clock();
    const expiry = issued.getTime() + 3600_000;
    try {
      app.setNow(new Date(expiry + 20_000));
      const skewed = await call(getPreferences, "GET", "/api/alerts/preferences", {
        token: user.token,
      });
      expect(skewed.status).toBe(200);
      app.setNow(new Date(expiry + 31_000));
      const expired = await call(getPreferences, "GET", "/api/alerts/preferences", {
        token: user.token,
      });
      expectUnauthenticated(expired, /expired/);
    } finally {
      app.setNow(issued);
    }
  });

  it("answer a token signed with another secret with 401", async () => {
    const sub = randomUUID();
    const token = await signUserToken("another-secret-that-is-long-enough-0123456789", {
      sub,
      now: app.ctx.clock(),
      expiresIn: 3600,
    });
    const res = await call(getPreferences, "GET", "/api/alerts/preferences", { token });
    expectUnauthenticated(res, /signature/);
    expect(await authUsersCount(sub)).toBe(0);
  });

  it('answer an unsigned token (alg "none") with 401', async () => {
    const sub = randomUUID();
    const res = await call(getPreferences, "GET", "/api/alerts/preferences", {
      token: unsignedToken(sub, app.ctx.clock()),
    });
    expectUnauthenticated(res);
    expect(await authUsersCount(sub)).toBe(0);
  });

  it("answer a token signed with the right secret but HS512 with 401", async () => {
    const now = app.ctx.clock();
    const token = await new SignJWT({ role: "authenticated" })
      .setProtectedHeader({ alg: "HS512", typ: "JWT" })
      .setSubject(randomUUID())
      .setIssuedAt(seconds(now))
      .setExpirationTime(seconds(now) + 3600)
      .sign(new TextEncoder().encode(JWT_SECRET));
    const res = await call(getPreferences, "GET", "/api/alerts/preferences", { token });
    expectUnauthenticated(res);
  });

  it("answer a token whose signature was tampered with with 401", async () => {
    const user = await makeUser(app);
    const [header, payload] = user.token.split(".");
    const forged = b64url({
      ...JSON.parse(Buffer.from(payload ?? "", "base64url").toString()),
      sub: randomUUID(),
    });
    const res = await call(getPreferences, "GET", "/api/alerts/preferences", {
      token: `${header}.${forged}.${user.token.split(".")[2]}`,
    });
    expectUnauthenticated(res);
  });

  it.each([
    ["not-a-uuid"],
    ["12345"],
    [""],
    ["3f2b8c1e-4d5a-4b6c-9d7e-1a2b3c4d5e6f; drop table auth.users"],
  ])("answer a token whose sub is %j with 401 naming the sub claim", async (sub) => {
    const token = await signUserToken(JWT_SECRET, { sub, now: app.ctx.clock(), expiresIn: 3600 });
    const res = await call(getPreferences, "GET", "/api/alerts/preferences", { token });
    expectUnauthenticated(res, /sub/);
  });

  it("answer a token without a sub (like Supabase's anon key) with 401", async () => {
    const now = app.ctx.clock();
    const token = await new SignJWT({ role: "anon" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuedAt(seconds(now))
      .setExpirationTime(seconds(now) + 3600)
      .sign(new TextEncoder().encode(JWT_SECRET));
    const res = await call(getPreferences, "GET", "/api/alerts/preferences", { token });
    expectUnauthenticated(res, /sub/);
  });

  it("answer the service key on a user route with 403", async () => {
    const res = await call(getPreferences, "GET", "/api/alerts/preferences", {
      token: SERVICE_KEY,
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body).toMatchObject({ status: 403, type: "/problems/forbidden" });
    expect(res.body.detail).toMatch(/user/);
  });

  it("accept the Bearer scheme in any letter case", async () => {
    const user = await makeUser(app);
    const res = await call(getPreferences, "GET", "/api/alerts/preferences", {
      headers: { authorization: `bearer ${user.token}` },
    });
    expect(res.status).toBe(200);
  });
});

// Every route × every kind of credential (no token, expired, forged, unsigned,
// another user's, the service key, a user token on producer routes) is the
// authorisation matrix of the fault suite: tests/faults/authz.test.ts.

describe("createAuthenticator with SUPABASE_URL (JWKS)", () => {
  const now = new Date("2026-03-01T12:00:00Z");
  const clock = () => now;
  let server: Server;
  let base: string;
  const requested: string[] = [];
  let rsa: CryptoKeyPair;
  let ec: CryptoKeyPair;
  let auth: Authenticator;

  beforeAll(async () => {
    rsa = await generateKeyPair("RS256");
    ec = await generateKeyPair("ES256");
    const keys: JWK[] = [
      { ...(await exportJWK(rsa.publicKey)), kid: "rsa-1", alg: "RS256", use: "sig" },
      { ...(await exportJWK(ec.publicKey)), kid: "ec-1", alg: "ES256", use: "sig" },
    ];
    server = createServer((req, res) => {
      requested.push(req.url ?? "");
      if (req.url === "/auth/v1/.well-known/jwks.json") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ keys }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    auth = authenticatorFor({ SUPABASE_URL: base });
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function authenticatorFor(env: Record<string, string>): Authenticator {
    const config = parseConfig({
      ALERTS_SERVICE_KEY: SERVICE_KEY,
      ALERTS_ENCRYPTION_KEY: ENCRYPTION_KEY,
      ...env,
    });
    return createAuthenticator(config, clock);
  }

  function sign(
    key: CryptoKey,
    header: { alg: string; kid?: string },
    claims: { sub: string; email?: string; exp?: number },
  ): Promise<string> {
    return new SignJWT({ email: claims.email, role: "authenticated" })
      .setProtectedHeader({ ...header, typ: "JWT" })
      .setSubject(claims.sub)
      .setAudience("authenticated")
      .setIssuedAt(seconds(now))
      .setExpirationTime(claims.exp ?? seconds(now) + 3600)
      .sign(key);
  }

  const request = (token: string) =>
    new Request("http://localhost:3000/api/alerts/preferences", {
      headers: { authorization: `Bearer ${token}` },
    });

  async function rejection(authenticator: Authenticator, token: string): Promise<HttpError> {
    const error = await authenticator.authenticate(request(token)).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof HttpError)) throw new Error(`expected a 401, got ${String(error)}`);
    expect(error.status).toBe(401);
    expect(error.options.headers?.["www-authenticate"]).toMatch(/^Bearer/);
    return error;
  }

  it("accepts an RS256 token signed by a key from the project's JWKS", async () => {
    const sub = randomUUID();
    const token = await sign(
      rsa.privateKey,
      { alg: "RS256", kid: "rsa-1" },
      {
        sub,
        email: "rs@example.com",
      },
    );
    expect(await auth.authenticate(request(token))).toEqual({
      kind: "user",
      userId: sub,
      email: "rs@example.com",
    });
    expect(requested).toContain("/auth/v1/.well-known/jwks.json");
  });

  it("accepts an ES256 token signed by a key from the project's JWKS", async () => {
    const sub = randomUUID();
    const token = await sign(ec.privateKey, { alg: "ES256", kid: "ec-1" }, { sub });
    expect(await auth.authenticate(request(token))).toEqual({
      kind: "user",
      userId: sub,
      email: undefined,
    });
  });

  it("finds the JWKS when SUPABASE_URL ends with a slash", async () => {
    const sub = randomUUID();
    const token = await sign(ec.privateKey, { alg: "ES256", kid: "ec-1" }, { sub });
    const caller = await authenticatorFor({ SUPABASE_URL: `${base}/` }).authenticate(
      request(token),
    );
    expect(caller).toMatchObject({ kind: "user", userId: sub });
  });

  it("rejects an RS256 token signed by another key under a published kid", async () => {
    const other = await generateKeyPair("RS256");
    const token = await sign(
      other.privateKey,
      { alg: "RS256", kid: "rsa-1" },
      {
        sub: randomUUID(),
      },
    );
    const error = await rejection(auth, token);
    expect(error.detail).toMatch(/signature/);
  });

  it("rejects an ES256 token signed by a key the JWKS does not publish", async () => {
    const other = await generateKeyPair("ES256");
    const token = await sign(
      other.privateKey,
      { alg: "ES256", kid: "ec-unknown" },
      {
        sub: randomUUID(),
      },
    );
    await rejection(auth, token);
  });

  it("rejects an expired token from the JWKS, saying it expired", async () => {
    const token = await sign(
      rsa.privateKey,
      { alg: "RS256", kid: "rsa-1" },
      {
        sub: randomUUID(),
        exp: seconds(now) - 3600,
      },
    );
    const error = await rejection(auth, token);
    expect(error.detail).toMatch(/expired/);
  });

  it("rejects a JWKS-signed token whose sub is not a UUID", async () => {
    const token = await sign(rsa.privateKey, { alg: "RS256", kid: "rsa-1" }, { sub: "root" });
    const error = await rejection(auth, token);
    expect(error.detail).toMatch(/sub/);
  });

  it('rejects an unsigned (alg "none") token', async () => {
    await rejection(auth, unsignedToken(randomUUID(), now));
  });

  it("rejects HS256 tokens when only SUPABASE_URL is configured", async () => {
    const token = await signUserToken(JWT_SECRET, { sub: randomUUID(), now, expiresIn: 3600 });
    await rejection(auth, token);
  });

  it("accepts both HS256 and JWKS tokens when both are configured", async () => {
    const both = authenticatorFor({ SUPABASE_URL: base, SUPABASE_JWT_SECRET: JWT_SECRET });
    const hsSub = randomUUID();
    const hs = await signUserToken(JWT_SECRET, { sub: hsSub, now, expiresIn: 3600 });
    expect(await both.authenticate(request(hs))).toMatchObject({ userId: hsSub });
    const rsSub = randomUUID();
    const rs = await sign(rsa.privateKey, { alg: "RS256", kid: "rsa-1" }, { sub: rsSub });
    expect(await both.authenticate(request(rs))).toMatchObject({ userId: rsSub });
  });

  it("still recognises the service key", async () => {
    expect(await auth.authenticate(request(SERVICE_KEY))).toEqual({ kind: "service" });
  });
});

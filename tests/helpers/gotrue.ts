import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { signUserToken, userIdForEmail } from "@/lib/http/tokens";

/**
 * A stand-in for Supabase Auth (GoTrue) on a real socket, answering in
 * GoTrue's REST shapes: `/token?grant_type=password|refresh_token|pkce`,
 * `/otp` (the magic link, "mailed" to `mails`), `/verify` (the link itself,
 * redirecting with a PKCE code), `/authorize` (an OAuth provider that
 * consents at once), `/logout`. Access tokens are HS256 JWTs signed with the
 * project's secret, as Supabase issues them; refresh tokens rotate.
 */

export interface GoTrueCall {
  method: string;
  path: string;
  apikey: string | undefined;
  authorization: string | undefined;
  body: Record<string, string>;
}

export interface GoTrue {
  url: string;
  calls: GoTrueCall[];
  /** Magic links sent, newest last. */
  mails: { email: string; link: string }[];
  /** An access token for `email` as Supabase would issue it, `ageSeconds` old (3600 s lifetime). */
  accessToken(email: string, ageSeconds?: number): Promise<string>;
  /** A refresh token that the stand-in will honour once, for `email`. */
  refreshToken(email: string): string;
  close(): Promise<void>;
}

interface PendingCode {
  email: string;
  challenge: string;
  provider: string;
}

const LIFETIME = 3600;

export async function startGoTrue({
  jwtSecret,
  users,
}: {
  jwtSecret: string;
  /** email → password */
  users: Record<string, string>;
}): Promise<GoTrue> {
  const calls: GoTrueCall[] = [];
  const mails: GoTrue["mails"] = [];
  const refreshTokens = new Map<string, string>();
  const linkTokens = new Map<string, { email: string; challenge: string }>();
  const codes = new Map<string, PendingCode>();
  let issued = 0;
  let base = "";

  const accessToken = (email: string, ageSeconds = 0) =>
    signUserToken(jwtSecret, {
      sub: userIdForEmail(email),
      email,
      now: new Date(Date.now() - ageSeconds * 1000),
      expiresIn: LIFETIME,
    });
  const refreshToken = (email: string) => {
    const token = `refresh-${++issued}`;
    refreshTokens.set(token, email);
    return token;
  };
  const session = async (email: string, provider = "email") => ({
    access_token: await accessToken(email),
    token_type: "bearer",
    expires_in: LIFETIME,
    expires_at: Math.floor(Date.now() / 1000) + LIFETIME,
    refresh_token: refreshToken(email),
    user: {
      id: userIdForEmail(email),
      aud: "authenticated",
      role: "authenticated",
      email,
      app_metadata: { provider, providers: [provider] },
      user_metadata: {},
      created_at: "2026-01-01T00:00:00Z",
    },
  });
  const newCode = (pending: PendingCode) => {
    const code = randomBytes(12).toString("hex");
    codes.set(code, pending);
    return code;
  };
  const withCode = (redirectTo: string, code: string) => {
    const target = new URL(redirectTo);
    target.searchParams.set("code", code);
    return target.toString();
  };

  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", base);
      const body = raw ? (JSON.parse(raw) as Record<string, string>) : {};
      calls.push({
        method: req.method ?? "GET",
        path: `${url.pathname}${url.search}`,
        apikey: req.headers.apikey as string | undefined,
        authorization: req.headers.authorization,
        body,
      });
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
      };
      const refuse = (status: number, error_code: string, msg: string) =>
        send(status, { code: status, error_code, msg });
      const redirect = (location: string) => {
        res.writeHead(303, { location });
        res.end();
      };
      const grant = url.searchParams.get("grant_type");
      switch (`${req.method} ${url.pathname}`) {
        case "POST /auth/v1/token":
          if (grant === "password") {
            if (body.email && users[body.email] === body.password) {
              return send(200, await session(body.email));
            }
            return refuse(400, "invalid_credentials", "Invalid login credentials");
          }
          if (grant === "refresh_token") {
            const email = refreshTokens.get(body.refresh_token ?? "");
            if (!email) return refuse(400, "refresh_token_not_found", "Invalid Refresh Token");
            refreshTokens.delete(body.refresh_token ?? "");
            return send(200, await session(email));
          }
          if (grant === "pkce") {
            const pending = codes.get(body.auth_code ?? "");
            if (!pending)
              return refuse(
                404,
                "flow_state_not_found",
                "invalid flow state, no valid flow state found",
              );
            codes.delete(body.auth_code ?? "");
            const challenge = createHash("sha256")
              .update(body.code_verifier ?? "")
              .digest("base64url");
            if (challenge !== pending.challenge) {
              return refuse(
                400,
                "bad_code_verifier",
                "code challenge does not match previously saved code verifier",
              );
            }
            return send(200, await session(pending.email, pending.provider));
          }
          return refuse(400, "unsupported_grant_type", "unsupported grant type");
        case "POST /auth/v1/otp": {
          const redirectTo = url.searchParams.get("redirect_to");
          if (!body.email || !(body.email in users)) {
            return refuse(422, "otp_disabled", "Signups not allowed for otp");
          }
          const token = randomBytes(12).toString("hex");
          linkTokens.set(token, { email: body.email, challenge: body.code_challenge ?? "" });
          const link = new URL(`${base}/auth/v1/verify`);
          link.searchParams.set("token", token);
          link.searchParams.set("type", "magiclink");
          if (redirectTo) link.searchParams.set("redirect_to", redirectTo);
          mails.push({ email: body.email, link: link.toString() });
          return send(200, {});
        }
        case "GET /auth/v1/verify": {
          const pending = linkTokens.get(url.searchParams.get("token") ?? "");
          const redirectTo = url.searchParams.get("redirect_to") ?? base;
          if (!pending) {
            const target = new URL(redirectTo);
            target.searchParams.set("error", "access_denied");
            target.searchParams.set("error_description", "Email link is invalid or has expired");
            return redirect(target.toString());
          }
          linkTokens.delete(url.searchParams.get("token") ?? "");
          return redirect(withCode(redirectTo, newCode({ ...pending, provider: "email" })));
        }
        case "GET /auth/v1/authorize": {
          // The provider's consent screen, agreed to at once, for "<provider>-user@example.com".
          const provider = url.searchParams.get("provider") ?? "";
          const redirectTo = url.searchParams.get("redirect_to") ?? base;
          const code = newCode({
            email: `${provider}-user@example.com`,
            challenge: url.searchParams.get("code_challenge") ?? "",
            provider,
          });
          return redirect(withCode(redirectTo, code));
        }
        case "POST /auth/v1/logout":
          res.writeHead(204);
          return res.end();
        default:
          return refuse(404, "not_found", `no route ${req.method} ${url.pathname}`);
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    calls,
    mails,
    accessToken,
    refreshToken,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

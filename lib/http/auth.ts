import { createHash, timingSafeEqual } from "node:crypto";
import { createRemoteJWKSet, type JWTPayload, errors as joseErrors, jwtVerify } from "jose";
import type { Config } from "../config/config";
import { bearerToken } from "./bearer-token";
import { HttpError } from "./errors";

/**
 * Who called: a user (from a Supabase access token), a trusted producer (the
 * service key), or a user's own producer key (`lib/http/producer-keys.ts`).
 */
export type Caller =
  | { kind: "user"; userId: string; email: string | undefined }
  | { kind: "service" }
  | { kind: "producer"; userId: string; keyId: string };

export interface Authenticator {
  /** Resolves the bearer credential of a request, or throws 401. */
  authenticate(req: Request): Promise<Caller>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Builds the authenticator once from configuration (a bad setting fails here,
 * not on the first request). User tokens are HS256 with `SUPABASE_JWT_SECRET`,
 * or asymmetric keys from `${SUPABASE_URL}/auth/v1/.well-known/jwks.json`.
 */
export function createAuthenticator(
  config: Pick<Config, "auth" | "serviceKey">,
  clock: () => Date = () => new Date(),
): Authenticator {
  const secret = config.auth.jwtSecret
    ? new TextEncoder().encode(config.auth.jwtSecret)
    : undefined;
  const jwks = config.auth.supabaseUrl
    ? createRemoteJWKSet(
        new URL("/auth/v1/.well-known/jwks.json", config.auth.supabaseUrl.replace(/\/*$/, "/")),
      )
    : undefined;
  const serviceDigest = digest(config.serviceKey);

  async function verify(token: string): Promise<JWTPayload> {
    const options = { currentDate: clock(), clockTolerance: 30, requiredClaims: ["exp", "sub"] };
    const alg = headerAlg(token);
    if (alg === "HS256" && secret) {
      return (await jwtVerify(token, secret, { ...options, algorithms: ["HS256"] })).payload;
    }
    if (alg && alg !== "HS256" && jwks) {
      return (await jwtVerify(token, jwks, { ...options, algorithms: ["RS256", "ES256", "EdDSA"] }))
        .payload;
    }
    throw unauthenticated("the token is not signed with an accepted algorithm or key");
  }

  return {
    async authenticate(req) {
      const header = req.headers.get("authorization");
      const token = bearerToken(header);
      if (!token) {
        throw unauthenticated(
          header ? "the Authorization header must be 'Bearer <token>'" : "no Authorization header",
        );
      }
      // Digests have equal length, so the comparison takes the same time for any input.
      if (timingSafeEqual(digest(token), serviceDigest)) return { kind: "service" };
      if (token.split(".").length !== 3) throw unauthenticated("the token is not a valid JWT");

      let payload: JWTPayload;
      try {
        payload = await verify(token);
      } catch (error) {
        if (error instanceof HttpError) throw error;
        if (error instanceof joseErrors.JWTExpired) throw unauthenticated("the token has expired");
        if (error instanceof joseErrors.JWTClaimValidationFailed) {
          throw unauthenticated(`the token's '${error.claim}' claim is missing or not valid`);
        }
        if (error instanceof joseErrors.JWKSTimeout || error instanceof TypeError) {
          // The key set could not be fetched: our problem, not the caller's token.
          throw new HttpError(
            "unavailable",
            "User tokens cannot be verified right now (the key set is unreachable); retry shortly.",
            {
              headers: { "retry-after": "5" },
            },
          );
        }
        throw unauthenticated("the token's signature or claims are not valid");
      }
      if (typeof payload.sub !== "string" || !UUID.test(payload.sub)) {
        throw unauthenticated("the token's 'sub' claim must be a user id (UUID)");
      }
      const email = typeof payload.email === "string" && payload.email ? payload.email : undefined;
      return { kind: "user", userId: payload.sub.toLowerCase(), email };
    },
  };
}

function headerAlg(token: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8"));
    return typeof header?.alg === "string" ? header.alg : undefined;
  } catch {
    return undefined;
  }
}

const digest = (value: string) => createHash("sha256").update(value).digest();

const unauthenticated = (why: string) =>
  new HttpError(
    "unauthenticated",
    `Authentication failed: ${why}. Send 'Authorization: Bearer <token>'.`,
    {
      headers: { "www-authenticate": 'Bearer realm="training-alerts"' },
    },
  );

import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { checkSignature } from "@/lib/web/dev-receiver";

const SECRET = `whsec_${Buffer.alloc(24, 5).toString("base64")}`;
const OTHER = `whsec_${Buffer.alloc(24, 6).toString("base64")}`;

/** Headers as the standardwebhooks reference library signs them. */
function signed(body: string, secret = SECRET) {
  const id = "msg_1";
  const at = new Date("2026-03-01T12:00:00Z");
  const signature = new Webhook(secret).sign(id, at, body);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signature,
  };
}

describe("the test receiver's signature check", () => {
  const body = JSON.stringify({ type: "test", data: {} });

  it("verifies what the reference library signs, naming the webhook whose secret matched", () => {
    expect(
      checkSignature({ headers: signed(body), body }, [
        { name: "other", secret: OTHER },
        { name: "mine", secret: SECRET },
      ]),
    ).toEqual({ state: "verified", by: "mine" });
  });

  it("says a changed body or an unknown secret does not verify, and an unsigned request is unsigned", () => {
    expect(
      checkSignature({ headers: signed(body), body: `${body} ` }, [{ name: "m", secret: SECRET }])
        .state,
    ).toBe("mismatch");
    expect(
      checkSignature({ headers: signed(body, OTHER), body }, [{ name: "m", secret: SECRET }]).state,
    ).toBe("mismatch");
    expect(checkSignature({ headers: {}, body }, [{ name: "m", secret: SECRET }])).toEqual({
      state: "unsigned",
    });
  });
});

import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { signStandardWebhook } from "./signature";

// The Standard Webhooks reference libraries' own test vector.
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

describe("the Standard Webhooks signer", () => {
  it("produces the reference libraries' known signature", () => {
    expect(signStandardWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(
      VECTOR.signature,
    );
    // A secret without its whsec_ prefix signs the same.
    expect(
      signStandardWebhook(VECTOR.secret.slice(6), VECTOR.id, VECTOR.timestamp, VECTOR.body),
    ).toBe(VECTOR.signature);
  });

  it("matches the standardwebhooks package's own signature of the vector", () => {
    const hook = new Webhook(VECTOR.secret);
    expect(hook.sign(VECTOR.id, new Date(VECTOR.timestamp * 1000), VECTOR.body)).toBe(
      VECTOR.signature,
    );
  });

  it("signs what the standardwebhooks package verifies, and nothing it rejects", () => {
    const hook = new Webhook(VECTOR.secret);
    // verify() checks the timestamp against the clock (5 minutes' tolerance): sign as of now.
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      "webhook-id": VECTOR.id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signStandardWebhook(VECTOR.secret, VECTOR.id, timestamp, VECTOR.body),
    };
    expect(hook.verify(VECTOR.body, headers)).toEqual({ test: 2432232314 });
    // The same signature over another body, or from another secret, does not verify.
    expect(() => hook.verify('{"test": 1}', headers)).toThrow();
    const other = new Webhook(`whsec_${Buffer.alloc(24, 1).toString("base64")}`);
    expect(() => other.verify(VECTOR.body, headers)).toThrow();
  });
});

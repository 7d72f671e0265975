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

  it("is verified by the standardwebhooks package", () => {
    const headers = {
      "webhook-id": VECTOR.id,
      "webhook-timestamp": String(VECTOR.timestamp),
      "webhook-signature": VECTOR.signature,
    };
    const hook = new Webhook(VECTOR.secret);
    // The vector's timestamp is years old: verify as of then.
    expect(hook.sign(VECTOR.id, new Date(VECTOR.timestamp * 1000), VECTOR.body)).toBe(
      headers["webhook-signature"],
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET, PUT } from "@/app/api/alerts/preferences/route";
import { call, makeUser, startTestApp, type TestApp } from "./helpers/app";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const path = "/api/alerts/preferences";

describe("preferences API", () => {
  it("creates the seed defaults on first read", async () => {
    const user = await makeUser(app);
    const res = await call(GET, "GET", path, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      user_id: user.id,
      email_enabled: true,
      email_address: null,
      alert_job_started: false,
      alert_job_completed: true,
      alert_job_failed: true,
      alert_job_cancelled: false,
      alert_gpu_oom: true,
      alert_disk_warning: true,
      alert_timeout_warning: true,
      daily_summary_enabled: false,
      daily_summary_time: "09:00:00",
      weekly_digest_enabled: false,
      weekly_digest_day: 1,
      quiet_hours_enabled: false,
      quiet_hours_start: "22:00:00",
      quiet_hours_end: "08:00:00",
      timezone: "UTC",
    });
    const again = await call(GET, "GET", path, { token: user.token });
    expect(again.body.id).toBe(res.body.id);
  });

  it("changes only the fields a partial PUT names", async () => {
    const user = await makeUser(app);
    const res = await call(PUT, "PUT", path, {
      token: user.token,
      body: { quiet_hours_enabled: true, quiet_hours_start: "23:30", timezone: "Europe/Berlin" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      quiet_hours_enabled: true,
      quiet_hours_start: "23:30:00",
      quiet_hours_end: "08:00:00",
      timezone: "Europe/Berlin",
      alert_job_completed: true,
    });
    const second = await call(PUT, "PUT", path, {
      token: user.token,
      body: { alert_job_started: true },
    });
    expect(second.body).toMatchObject({ alert_job_started: true, quiet_hours_start: "23:30:00" });
    const read = await call(GET, "GET", path, { token: user.token });
    expect(read.body).toEqual(second.body);
  });

  it("accepts an email override and clears it with null", async () => {
    const user = await makeUser(app);
    const set = await call(PUT, "PUT", path, {
      token: user.token,
      body: { email_address: "ops@example.com" },
    });
    expect(set.body.email_address).toBe("ops@example.com");
    const cleared = await call(PUT, "PUT", path, {
      token: user.token,
      body: { email_address: null },
    });
    expect(cleared.body.email_address).toBeNull();
  });

  it.each([
    ["quiet_hours_start", "25:00"],
    ["quiet_hours_end", "8am"],
    ["daily_summary_time", 900],
    ["timezone", "Mars/Olympus"],
    ["timezone", "+01:00"],
    ["weekly_digest_day", 7],
    ["weekly_digest_day", 1.5],
    ["email_address", "not-an-email"],
    ["email_enabled", "yes"],
    ["alert_gpu_oom", null],
  ])(
    "rejects a bad %s (%j) with a 422 naming the field and changes nothing",
    async (field, value) => {
      const user = await makeUser(app);
      const before = await call(GET, "GET", path, { token: user.token });
      const res = await call(PUT, "PUT", path, { token: user.token, body: { [field]: value } });
      expect(res.status).toBe(422);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.body).toMatchObject({ status: 422, type: "/problems/validation-failed" });
      expect(res.body.errors).toEqual([{ path: field, message: expect.any(String) }]);
      const after = await call(GET, "GET", path, { token: user.token });
      expect(after.body).toEqual(before.body);
    },
  );

  it("rejects unknown fields with a hint at the intended one", async () => {
    const user = await makeUser(app);
    const res = await call(PUT, "PUT", path, {
      token: user.token,
      rawBody: '{"timezon":"UTC","__proto__":{"admin":true},"email_enabled":false}',
    });
    expect(res.status).toBe(422);
    const errors = res.body.errors as { path: string; message: string }[];
    expect(errors.map((e) => e.path).sort()).toEqual(["__proto__", "timezon"]);
    expect(errors.find((e) => e.path === "timezon")?.message).toContain('did you mean "timezone"');
    const after = await call(GET, "GET", path, { token: user.token });
    expect(after.body.email_enabled).toBe(true);
  });

  it("answers malformed JSON with 400 and an oversized body with 413", async () => {
    const user = await makeUser(app);
    const bad = await call(PUT, "PUT", path, {
      token: user.token,
      rawBody: '{"email_enabled": tru',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.type).toBe("/problems/malformed-json");
    const big = await call(PUT, "PUT", path, {
      token: user.token,
      rawBody: JSON.stringify({ email_address: "x".repeat(70_000) }),
    });
    expect(big.status).toBe(413);
  });

  it("answers a body sent as a form with 415", async () => {
    const user = await makeUser(app);
    const res = await call(PUT, "PUT", path, {
      token: user.token,
      rawBody: "email_enabled=false",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(415);
  });

  it("answers a body that is not UTF-8 with 400", async () => {
    const user = await makeUser(app);
    const res = await call(PUT, "PUT", path, {
      token: user.token,
      rawBody: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
    });
    expect(res.status).toBe(400);
  });
});

import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "@/lib/config/config";
import { loadConfig } from "@/lib/config/load";
import { parseCidr } from "@/lib/security/cidr-range";

const full = {
  SUPABASE_JWT_SECRET: "s".repeat(40),
  ALERTS_SERVICE_KEY: "k".repeat(30),
  ALERTS_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
};

const tempDir = () => mkdtempSync(path.join(tmpdir(), "ta-config-"));

describe("configuration", () => {
  it("applies the documented defaults", () => {
    const c = parseConfig(full);
    expect(c).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      dataDir: "./.data",
      emailFrom: "alerts@localhost",
      appUrl: "http://localhost:3000",
      worker: "inline",
      workerGraceMs: 15_000,
      logLevel: "info",
      rateLimitPerHour: 60,
      timeoutMinutes: 30,
      diskThresholdPercent: 90,
      requireConfig: false,
      retentionDays: 90,
      localMode: false,
      webhooks: {
        allowHttp: false,
        allowedCidrs: [],
        retryScheduleSeconds: [5, 300, 1800, 7200, 18000, 36000, 36000],
        disableAfter: 10,
      },
    });
  });

  it("names the variable and the fix when a value is bad", () => {
    expect(() => parseConfig({ ...full, ALERTS_WEBHOOK_DISABLE_AFTER: "zero" })).toThrow(
      /ALERTS_WEBHOOK_DISABLE_AFTER: must be a whole number/,
    );
    expect(() => parseConfig({ ...full, ALERTS_WORKER: "sometimes" })).toThrow(
      /ALERTS_WORKER: must be inline or off/,
    );
    expect(() => parseConfig({ ...full, DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
    expect(() => parseConfig({ ...full, ALERTS_ENCRYPTION_KEY: "short" })).toThrow(
      /ALERTS_ENCRYPTION_KEY: must be 32 random bytes in base64/,
    );
    expect(() => parseConfig({ ...full, ALERTS_WEBHOOK_ALLOWED_CIDRS: "10.0.0.0" })).toThrow(
      /ALERTS_WEBHOOK_ALLOWED_CIDRS/,
    );
    // A prefix longer than the address family allows stops start-up too, naming the variable.
    expect(() => parseConfig({ ...full, ALERTS_WEBHOOK_ALLOWED_CIDRS: "10.0.0.0/99" })).toThrow(
      /ALERTS_WEBHOOK_ALLOWED_CIDRS: "10.0.0.0\/99" is not a CIDR/,
    );
    expect(() => parseConfig({ ...full, ALERTS_WORKER_GRACE_MS: "soon" })).toThrow(
      /ALERTS_WORKER_GRACE_MS: must be a whole number/,
    );
    expect(() => parseConfig({ ...full, PORT: "70000" })).toThrow(/PORT: must be at most 65535/);
    expect(() => parseConfig({ ...full, LOG_LEVEL: "loud" })).toThrow(
      /LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent/,
    );
  });

  it("reads lists and switches", () => {
    const c = parseConfig({
      ...full,
      ALERTS_WEBHOOK_ALLOW_HTTP: "true",
      ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.0/8, ::1/128",
      ALERTS_WEBHOOK_RETRY_SCHEDULE: "1, 2,3",
      ALERTS_APP_URL: "https://alerts.example.com/",
    });
    expect(c.webhooks).toMatchObject({
      allowHttp: true,
      allowedCidrs: [parseCidr("127.0.0.0/8"), parseCidr("::1/128")],
      retryScheduleSeconds: [1, 2, 3],
    });
    expect(c.appUrl).toBe("https://alerts.example.com");
  });

  it("refuses to start without secrets when ALERTS_REQUIRE_CONFIG is true, naming each variable", () => {
    const dir = tempDir();
    expect(() => loadConfig({ ALERTS_REQUIRE_CONFIG: "true", ALERTS_DATA_DIR: dir })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ ALERTS_REQUIRE_CONFIG: "true", ALERTS_DATA_DIR: dir })).toThrow(
      /SUPABASE_JWT_SECRET \(or SUPABASE_URL\), ALERTS_SERVICE_KEY, ALERTS_ENCRYPTION_KEY/,
    );
    expect(() =>
      loadConfig({
        ...full,
        ALERTS_SERVICE_KEY: undefined,
        ALERTS_REQUIRE_CONFIG: "true",
        ALERTS_DATA_DIR: dir,
      }),
    ).toThrow(/Missing required configuration: ALERTS_SERVICE_KEY\./);
  });

  it("generates local-mode secrets once, privately, and reuses them", () => {
    const dir = tempDir();
    const first = loadConfig({ ALERTS_DATA_DIR: dir });
    expect(first.config.localMode).toBe(true);
    expect(first.config.hostname).toBe("127.0.0.1");
    expect(first.localSecretsFile).toBe(path.resolve(dir, "local-secrets.json"));
    expect(statSync(first.localSecretsFile ?? "").mode & 0o777).toBe(0o600);
    const second = loadConfig({ ALERTS_DATA_DIR: dir });
    expect(second.config.auth.jwtSecret).toBe(first.config.auth.jwtSecret);
    expect(second.config.serviceKey).toBe(first.config.serviceKey);
    expect(
      second.config.encryptionKeys[0]?.key.equals(
        first.config.encryptionKeys[0]?.key ?? Buffer.alloc(0),
      ),
    ).toBe(true);
    expect(JSON.parse(readFileSync(first.localSecretsFile ?? "", "utf8")).serviceKey).toBe(
      first.config.serviceKey,
    );
  });

  it("uses a variable that is set instead of the generated secret", () => {
    const dir = tempDir();
    const { config } = loadConfig({ ALERTS_DATA_DIR: dir, ALERTS_SERVICE_KEY: "k".repeat(30) });
    expect(config.serviceKey).toBe("k".repeat(30));
    expect(config.localMode).toBe(true);
  });

  it("is not local mode when auth is configured, and then listens where HOSTNAME says", () => {
    const c = parseConfig(full);
    expect(c.localMode).toBe(false);
    expect(c.hostname).toBeUndefined();
    expect(parseConfig({ ...full, HOSTNAME: "0.0.0.0" }).hostname).toBe("0.0.0.0");
  });

  it("keeps older encryption keys for rotation, encrypting with the first", () => {
    const old = Buffer.alloc(32, 9).toString("base64");
    const c = parseConfig({ ...full, ALERTS_ENCRYPTION_KEYS_OLD: `old1:${old}` });
    expect(c.encryptionKeys.map((k) => k.id)).toEqual([
      expect.stringMatching(/^[0-9a-f]{8}$/),
      "old1",
    ]);
  });

  it("lets local mode reach http:// receivers on loopback only, until either webhook variable is set", () => {
    const dir = tempDir();
    const { config } = loadConfig({ ALERTS_DATA_DIR: dir });
    expect(config.webhooks).toMatchObject({
      allowHttp: true,
      allowedCidrs: [parseCidr("127.0.0.0/8"), parseCidr("::1/128")],
      localReceivers: true,
    });
    const operator = loadConfig({
      ALERTS_DATA_DIR: dir,
      ALERTS_WEBHOOK_ALLOWED_CIDRS: "10.1.0.0/16",
    });
    expect(operator.config.webhooks).toMatchObject({
      allowHttp: false,
      allowedCidrs: [parseCidr("10.1.0.0/16")],
      localReceivers: false,
    });
    const httpOnly = loadConfig({ ALERTS_DATA_DIR: dir, ALERTS_WEBHOOK_ALLOW_HTTP: "false" });
    expect(httpOnly.config.webhooks).toMatchObject({ allowHttp: false, allowedCidrs: [] });
    // Listening beyond loopback, others could reach the host's own services through it.
    for (const hostname of ["0.0.0.0", "10.1.2.3", "my-container"]) {
      const exposed = loadConfig({ ALERTS_DATA_DIR: dir, HOSTNAME: hostname });
      expect(exposed.config.webhooks, hostname).toMatchObject({
        allowHttp: false,
        allowedCidrs: [],
        localReceivers: false,
      });
    }
    for (const hostname of ["localhost", "127.0.0.2", "::1"]) {
      const loopback = loadConfig({ ALERTS_DATA_DIR: dir, HOSTNAME: hostname });
      expect(loopback.config.webhooks.localReceivers, hostname).toBe(true);
    }
    // Deployments are unchanged.
    expect(parseConfig(full).webhooks).toMatchObject({
      allowHttp: false,
      allowedCidrs: [],
      localReceivers: false,
    });
  });

  it("builds links on the address the server announces, so they keep the session", () => {
    const dir = tempDir();
    expect(loadConfig({ ALERTS_DATA_DIR: dir, PORT: "4123" }).config.appUrl).toBe(
      "http://127.0.0.1:4123",
    );
    expect(loadConfig({ ALERTS_DATA_DIR: dir, HOSTNAME: "::1" }).config.appUrl).toBe(
      "http://[::1]:3000",
    );
    expect(parseConfig({ ...full, HOSTNAME: "0.0.0.0" }).appUrl).toBe("http://localhost:3000");
    expect(parseConfig({ ...full, HOSTNAME: "alerts.internal" }).appUrl).toBe(
      "http://alerts.internal:3000",
    );
  });
});

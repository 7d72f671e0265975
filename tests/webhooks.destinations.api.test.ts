import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getOne, PATCH as patchOne } from "@/app/api/alerts/webhooks/[id]/route";
import { POST as create, GET as list } from "@/app/api/alerts/webhooks/route";
import { GET as openapi } from "@/app/api/openapi.json/route";
import { WEBHOOK_TYPES } from "@/lib/alerts/alert.types";
import { SECRET_PURPOSE, URL_PURPOSE } from "@/lib/alerts/webhook-input";
import { decrypt } from "@/lib/security/encryption";
import {
  type CallResult,
  call,
  makeUser,
  startTestApp,
  type TestApp,
  type TestUser,
} from "./helpers/app";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const path = "/api/alerts/webhooks";
const BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const CHAT_ID = "-1001234567890";
const TELEGRAM_URL = `https://api.telegram.org/bot${BOT_TOKEN}/sendMessage?chat_id=${CHAT_ID}`;
const TEAMS_URL =
  "https://prod-42.westeurope.logic.azure.com:443/workflows/0f1e2d3c4b5a69788796a5b4c3d2e1f0/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=teamsSignatureSecret0123456789";
const NTFY_TOPIC = "training-alerts-9f8e7d6c5b";
const NTFY_URL = `https://ntfy.sh/${NTFY_TOPIC}`;
const NTFY_TOKEN = "tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2";
const ROUTING_KEY = "R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y32";
const PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue";
const MATTERMOST_HOOK = "xmu7yjm9ab8hbxqzq3g5ym9tqa";
const MATTERMOST_URL = `https://chat.example.org/hooks/${MATTERMOST_HOOK}`;

const post = (user: TestUser, body: Record<string, unknown>) =>
  call(create, "POST", path, { token: user.token, body: { name: "Hook", ...body } });

function expectFieldError(res: CallResult, field: string, pattern?: RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  const errors = (res.body.errors as { path: string; message: string }[]).filter(
    (e) => e.path === field,
  );
  expect(errors, JSON.stringify(res.body.errors)).toHaveLength(1);
  if (pattern) expect(errors[0]?.message).toMatch(pattern);
}

async function storedRow(id: string) {
  const { rows } = await app.ctx.db.query<Record<string, unknown>>(
    "select * from user_webhooks where id = $1",
    [id],
  );
  return rows[0] ?? {};
}

describe("webhooks API: paste the URL you were given", () => {
  it.each([
    ["https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/slackPathToken0123456789", "slack", {}],
    ["https://discord.com/api/webhooks/123456789012345678/discordPathToken", "discord", {}],
    [TEAMS_URL, "teams", {}],
    [TELEGRAM_URL, "telegram", {}],
    [NTFY_URL, "ntfy", {}],
    [PAGERDUTY_URL, "pagerduty", { secret: ROUTING_KEY }],
    [MATTERMOST_URL, "mattermost", {}],
  ])("infers the type of %s as %s when webhook_type is omitted", async (url, type, extra) => {
    const user = await makeUser(app);
    const res = await post(user, { url, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.webhook_type).toBe(type);
  });

  it("answers 422 listing every type when the URL names none and no type is given", async () => {
    const user = await makeUser(app);
    const res = await post(user, { url: "https://example.com/my-receiver" });
    expectFieldError(res, "webhook_type");
    const message = (res.body.errors as { message: string }[])[0]?.message ?? "";
    for (const type of WEBHOOK_TYPES) expect(message).toContain(`"${type}"`);
  });

  it("lets an explicit type win over the host, and never refuses a type because of the host", async () => {
    const user = await makeUser(app);
    const slackAsGeneric = await post(user, {
      url: "https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/slackPathToken0123456789",
      webhook_type: "generic",
    });
    expect(slackAsGeneric.body.webhook_type).toBe("generic");
    const selfHosted = [
      { url: "https://ntfy.example.com/alerts", webhook_type: "ntfy" },
      {
        url: `https://tg.example.com/bot${BOT_TOKEN}/sendMessage?chat_id=42`,
        webhook_type: "telegram",
      },
      { url: "https://mm.example.com/hooks/anything", webhook_type: "mattermost" },
      { url: "https://receiver.example.com/teams", webhook_type: "teams" },
      {
        url: "https://pd-proxy.example.com/v2/enqueue",
        webhook_type: "pagerduty",
        secret: ROUTING_KEY,
      },
    ];
    for (const body of selfHosted) {
      const res = await post(user, body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.webhook_type).toBe(body.webhook_type);
    }
  });

  it.each([
    "https://outlook.office.com/webhook/abc@def/IncomingWebhook/123/456",
    "https://contoso.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456",
  ])("refuses the retired Office 365 connector URL %s with a 422 naming Workflows", async (url) => {
    const user = await makeUser(app);
    for (const extra of [{}, { webhook_type: "teams" }]) {
      const res = await post(user, { url, ...extra });
      expectFieldError(res, "url", /retired.*Workflows/);
    }
  });
});

describe("webhooks API: what each destination needs", () => {
  it("needs a chat_id in a Telegram URL and the sendMessage path", async () => {
    const user = await makeUser(app);
    expectFieldError(
      await post(user, { url: `https://api.telegram.org/bot${BOT_TOKEN}/sendMessage` }),
      "url",
      /chat_id/,
    );
    expectFieldError(
      await post(user, {
        url: `https://api.telegram.org/bot${BOT_TOKEN}/getUpdates?chat_id=1`,
        webhook_type: "telegram",
      }),
      "url",
      /sendMessage/,
    );
    const channel = await post(user, {
      url: `https://api.telegram.org/bot${BOT_TOKEN}/sendMessage?chat_id=@my_channel`,
    });
    expect(channel.status).toBe(201);
  });

  it("needs a 32-character routing key as a PagerDuty secret", async () => {
    const user = await makeUser(app);
    expectFieldError(await post(user, { url: PAGERDUTY_URL }), "secret", /routing/);
    expectFieldError(
      await post(user, { url: PAGERDUTY_URL, secret: "generate" }),
      "secret",
      /routing/,
    );
    expectFieldError(
      await post(user, { url: PAGERDUTY_URL, secret: NTFY_TOKEN }),
      "secret",
      /routing/,
    );
  });

  it("takes an ntfy access token, and no secret at all for Teams, Telegram and Mattermost", async () => {
    const user = await makeUser(app);
    const ntfy = await post(user, { url: NTFY_URL, secret: NTFY_TOKEN });
    expect(ntfy.status).toBe(201);
    expect(ntfy.body.has_secret).toBe(true);
    expectFieldError(await post(user, { url: NTFY_URL, secret: "generate" }), "secret", /tk_/);
    for (const url of [TEAMS_URL, TELEGRAM_URL, MATTERMOST_URL])
      expectFieldError(await post(user, { url, secret: "generate" }), "secret", /null/);
    // Slack and Discord still sign with a whsec_ secret, never with a credential of another kind.
    expectFieldError(
      await post(user, { url: "https://hooks.slack.com/services/T/B/x", secret: ROUTING_KEY }),
      "secret",
      /whsec_/,
    );
  });

  it("gives PagerDuty its own defaults: only what needs someone now, plus completions that resolve", async () => {
    const user = await makeUser(app);
    const res = await post(user, { url: PAGERDUTY_URL, secret: ROUTING_KEY });
    expect(res.body).toMatchObject({
      alert_job_started: false,
      alert_job_completed: true,
      alert_job_failed: true,
      alert_job_cancelled: false,
      alert_gpu_oom: true,
      alert_disk_warning: true,
      alert_timeout_warning: true,
    });
  });

  it("asks for the URL again when a PATCH changes the type", async () => {
    const user = await makeUser(app);
    const created = await post(user, { url: MATTERMOST_URL });
    const id = created.body.id as string;
    const res = await call(patchOne, "PATCH", `${path}/${id}`, {
      token: user.token,
      params: { id },
      body: { webhook_type: "telegram" },
    });
    expectFieldError(res, "url", /webhook_type/);
  });
});

describe("webhooks API: credentials of the new destinations", () => {
  it("never answers with a bot token, chat id, ntfy topic or token, Teams signature or routing key, and stores each encrypted", async () => {
    const user = await makeUser(app);
    const made = [
      await post(user, { url: TELEGRAM_URL }),
      await post(user, { url: NTFY_URL, secret: NTFY_TOKEN }),
      await post(user, { url: PAGERDUTY_URL, secret: ROUTING_KEY }),
      await post(user, { url: TEAMS_URL }),
      await post(user, { url: MATTERMOST_URL }),
    ];
    const secrets = [
      BOT_TOKEN,
      BOT_TOKEN.split(":")[1] ?? "",
      CHAT_ID,
      NTFY_TOPIC,
      NTFY_TOKEN,
      ROUTING_KEY,
      "teamsSignatureSecret",
      MATTERMOST_HOOK,
    ];
    const answers: unknown[] = made.map((r) => r.body);
    answers.push((await call(list, "GET", path, { token: user.token })).body);
    for (const r of made) {
      const id = r.body.id as string;
      answers.push(
        (await call(getOne, "GET", `${path}/${id}`, { token: user.token, params: { id } })).body,
      );
      const row = await storedRow(id);
      const stored = JSON.stringify(row);
      for (const s of secrets) expect(stored).not.toContain(s);
      expect(row.url).toMatch(/^enc:v1:/);
    }
    for (const answer of answers) {
      const text = JSON.stringify(answer);
      for (const s of secrets) expect(text).not.toContain(s);
    }
    expect(made[0]?.body.url).toBe("https://api.telegram.org/bot1…/…");
    expect(made[1]?.body.url).toBe("https://ntfy.sh/tr…/…");
    const keys = app.ctx.config.encryptionKeys;
    const pd = await storedRow(made[2]?.body.id as string);
    expect(decrypt(keys, pd.secret as string, SECRET_PURPOSE)).toBe(ROUTING_KEY);
    const tg = await storedRow(made[0]?.body.id as string);
    expect(decrypt(keys, tg.url as string, URL_PURPOSE)).toBe(TELEGRAM_URL);
  });
});

describe("the OpenAPI document", () => {
  it("lists the eight types, webhook_type optional on create", async () => {
    // biome-ignore lint/suspicious/noExplicitAny: the document is read as loose JSON.
    const res = await call<{ paths: Record<string, Record<string, any>> }>(
      openapi,
      "GET",
      "/api/openapi.json",
    );
    const text = JSON.stringify(res.body.paths["/api/alerts/webhooks"]?.post);
    for (const type of WEBHOOK_TYPES) expect(text).toContain(`"${type}"`);
    const schema =
      res.body.paths["/api/alerts/webhooks"]?.post?.requestBody?.content?.["application/json"]
        ?.schema;
    expect(schema?.required ?? []).not.toContain("webhook_type");
    expect(text).toContain("inferred from the URL");
  });
});

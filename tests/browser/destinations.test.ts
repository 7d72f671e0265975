import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeViolations, seriousViolations } from "../helpers/browser";
import type { NextServer } from "../helpers/next-server";
import type { ReceivedRequest } from "../helpers/receiver";
import { startUiSession, type UiSession } from "../helpers/ui-session";

/*
 * The webhook form for the destination kinds of issue 20, in real Chromium
 * against `next start` of the production build: the type suggested from a
 * pasted URL (an explicit choice wins), each kind's credential fields, a
 * created webhook that never shows its credential back, and "Send test"
 * against a local receiver answering as each platform does.
 */

const EMAIL = "katherine@example.com";
const BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const NTFY_TOPIC = "training-topic-9f8e7d6c5b";
const NTFY_TOKEN = "tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2";
const ROUTING_KEY = "R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y32";
const TEAMS_SIG = "s1gn4tureS1GN4TURE";
const MATTERMOST_ID = "xmu7yjm9ab8hbxqzq3g5ym9tqa";

let session: UiSession;
let server: NextServer;
let page: Page;
let receiver: UiSession["receiver"];

/** Each platform's own success answer (the channels' classifiers read them). */
function answer(req: ReceivedRequest) {
  if (req.url.startsWith("/bot")) return { status: 200, body: '{"ok":true,"result":{}}' };
  if (req.url.startsWith("/v2/enqueue")) {
    return {
      status: 202,
      body: '{"status":"success","message":"Event processed","dedup_key":"x"}',
    };
  }
  if (req.url.startsWith("/workflows")) return { status: 202 };
  if (req.url.startsWith("/hooks")) return { status: 200, body: "ok" };
  return { status: 200, body: '{"id":"x"}' };
}

beforeAll(async () => {
  session = await startUiSession(answer);
  ({ server, page, receiver } = session);
  await session.signIn(EMAIL, "/settings/alerts/webhooks");
});

afterAll(async () => {
  await session?.close();
});

const form = () => page.getByRole("form", { name: "Add a webhook" });
const urlField = () => form().getByLabel("URL", { exact: true });
const typeRadio = (name: string) => form().getByRole("radio", { name, exact: true });

async function openForm(): Promise<void> {
  await page.goto(`${server.url}/settings/alerts/webhooks`);
  await page.getByRole("button", { name: "Add webhook" }).click();
  await form().waitFor();
}

async function checkedType(): Promise<string> {
  for (const name of [
    "Slack",
    "Discord",
    "Generic (signed JSON)",
    "Microsoft Teams",
    "Telegram",
    "ntfy",
    "PagerDuty",
    "Mattermost",
  ]) {
    if (await typeRadio(name).isChecked()) return name;
  }
  return "none";
}

const userToken = () => session.userToken();

/** Saves the open form and answers the new webhook's card in the list. */
async function save(name: string): Promise<Locator> {
  await form().getByRole("button", { name: "Add webhook" }).click();
  const row = page.getByRole("listitem").filter({
    has: page.getByRole("heading", { name, exact: true }),
  });
  await row.waitFor();
  return row;
}

/** "Send test" on a webhook's card: answers the request the receiver got. */
async function sendTest(row: Locator): Promise<ReceivedRequest> {
  const before = receiver.requests.length;
  await row.getByRole("button", { name: "Send test" }).click();
  await expect
    .poll(() => row.locator(".test-result").textContent(), { timeout: 20_000 })
    .toMatch(/^✓ Test delivered: HTTP 20[02] in \d+ ms\.$/);
  await receiver.waitFor(before + 1);
  return receiver.requests[before] as ReceivedRequest;
}

/** Neither the page nor the API's list of webhooks holds the credential. */
async function neverShown(credential: string): Promise<void> {
  await page.reload();
  expect(await page.content()).not.toContain(credential);
  const res = await fetch(`${server.url}/api/alerts/webhooks`, {
    headers: { authorization: `Bearer ${await userToken()}` },
  });
  expect(await res.text()).not.toContain(credential);
}

describe("the webhook form for every destination kind", () => {
  it("suggests the type from a pasted URL", async () => {
    await openForm();
    const pasted: [string, string][] = [
      ["https://hooks.slack.com/services/T0/B0/XXXX", "Slack"],
      ["https://discord.com/api/webhooks/1/abc", "Discord"],
      [
        "https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=x",
        "Microsoft Teams",
      ],
      [`https://api.telegram.org/bot${BOT_TOKEN}/sendMessage?chat_id=-4242`, "Telegram"],
      [`https://ntfy.sh/${NTFY_TOPIC}`, "ntfy"],
      ["https://events.pagerduty.com/v2/enqueue", "PagerDuty"],
      [`https://chat.example.com/hooks/${MATTERMOST_ID}`, "Mattermost"],
    ];
    for (const [url, type] of pasted) {
      await urlField().fill(url);
      expect(await checkedType(), url).toBe(type);
      expect(await form().locator(".suggested").textContent(), url).toBe(
        `Looks like a ${type} URL; type set to match. `,
      );
    }
    const violations = await seriousViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  });

  it("keeps an explicit choice of type over what the URL suggests", async () => {
    await openForm();
    await typeRadio("Discord").check();
    await urlField().fill("https://hooks.slack.com/services/T0/B0/XXXX");
    expect(await checkedType()).toBe("Discord");
    expect(await form().locator(".suggested").count()).toBe(0);
    await typeRadio("ntfy").check();
    await urlField().fill(`https://discord.com/api/webhooks/1/abc`);
    expect(await checkedType()).toBe("ntfy");

    // Clicking the type already selected (a new webhook starts as generic) is a choice too.
    await openForm();
    expect(await checkedType()).toBe("Generic (signed JSON)");
    await typeRadio("Generic (signed JSON)").click();
    await urlField().fill("https://hooks.slack.com/services/T0/B0/XXXX");
    expect(await checkedType()).toBe("Generic (signed JSON)");
  });

  it("shows each kind's credential fields and keeps them in step with the URL", async () => {
    await openForm();
    await typeRadio("Telegram").check();
    await urlField().fill(`https://api.telegram.org/bot${BOT_TOKEN}/sendMessage?chat_id=-4242`);
    expect(await form().getByLabel("Bot token").inputValue()).toBe(BOT_TOKEN);
    expect(await form().getByLabel("Bot token").getAttribute("type")).toBe("password");
    expect(await form().getByLabel("Chat id").inputValue()).toBe("-4242");
    await form().getByLabel("Chat id").fill("@my_channel");
    expect(await urlField().inputValue()).toBe(
      `https://api.telegram.org/bot${BOT_TOKEN}/sendMessage?chat_id=%40my_channel`,
    );
    // Telegram takes no secret of its own: its token is in the URL.
    expect(await form().getByText("Signing secret").count()).toBe(0);

    await openForm();
    await typeRadio("Telegram").check();
    await form().getByLabel("Bot token").fill(BOT_TOKEN);
    await form().getByLabel("Chat id").fill("-100123");
    expect(await urlField().inputValue()).toBe(
      `https://api.telegram.org/bot${BOT_TOKEN}/sendMessage?chat_id=-100123`,
    );

    await openForm();
    await typeRadio("ntfy").check();
    await form().getByLabel("Topic", { exact: true }).fill(NTFY_TOPIC);
    expect(await urlField().inputValue()).toBe(`https://ntfy.sh/${NTFY_TOPIC}`);
    await form().getByLabel("Use a token").check();
    expect(await form().getByLabel("Access token", { exact: true }).getAttribute("type")).toBe(
      "password",
    );
    expect(await form().getByLabel("No token (public topic)").count()).toBe(1);

    await openForm();
    await typeRadio("PagerDuty").check();
    expect(await urlField().inputValue()).toBe("https://events.pagerduty.com/v2/enqueue");
    expect(await form().getByLabel("Integration key (routing key)", { exact: true }).count()).toBe(
      1,
    );
    // No routing key: the API's answer is shown beside the field.
    await form().getByLabel("Name").fill("No key");
    await form().getByRole("button", { name: "Add webhook" }).click();
    const key = form().getByLabel("Integration key (routing key)", { exact: true });
    await expect.poll(() => key.getAttribute("aria-invalid")).toBe("true");
    expect(await form().locator('[id$="-secret-error"]').textContent()).toMatch(/routing/);

    for (const [type, label] of [
      ["Microsoft Teams", "Bot token"],
      ["Mattermost", "Topic"],
    ]) {
      await typeRadio(type as string).check();
      expect(
        await form()
          .getByLabel(label as string)
          .count(),
      ).toBe(0);
      expect(await form().getByText("Signing secret").count()).toBe(0);
    }
  });

  it("creates a Telegram webhook that never shows its bot token back, and sends a test to it", async () => {
    await openForm();
    await typeRadio("Telegram").check();
    await form().getByLabel("Name").fill("Night pager (Telegram)");
    await urlField().fill(`${receiver.url}/bot${BOT_TOKEN}/sendMessage?chat_id=1`);
    await form().getByLabel("Chat id").fill("-4242");
    const row = await save("Night pager (Telegram)");
    expect(await row.textContent()).toContain("Telegram");
    await neverShown(BOT_TOKEN);
    const req = await sendTest(
      page.getByRole("listitem").filter({ hasText: "Night pager (Telegram)" }),
    );
    expect(req.url).toBe(`/bot${BOT_TOKEN}/sendMessage`);
    expect(JSON.parse(req.body)).toMatchObject({ chat_id: "-4242", parse_mode: "HTML" });
  });

  it("creates an ntfy webhook with an access token that is never shown back, and sends a test", async () => {
    await openForm();
    await typeRadio("ntfy").check();
    await form().getByLabel("Name").fill("Phone (ntfy)");
    await urlField().fill(`${receiver.url}/${NTFY_TOPIC}`);
    expect(await form().getByLabel("Topic", { exact: true }).inputValue()).toBe(NTFY_TOPIC);
    await form().getByLabel("Use a token").check();
    await form().getByLabel("Access token", { exact: true }).fill(NTFY_TOKEN);
    const ntfyRow = await save("Phone (ntfy)");
    expect(await ntfyRow.textContent()).toContain("ntfy · access token set");
    await neverShown(NTFY_TOKEN);
    await neverShown(NTFY_TOPIC);
    const req = await sendTest(page.getByRole("listitem").filter({ hasText: "Phone (ntfy)" }));
    expect(req.headers.authorization).toBe(`Bearer ${NTFY_TOKEN}`);
    expect(JSON.parse(req.body)).toMatchObject({ topic: NTFY_TOPIC });
  });

  it("creates a PagerDuty webhook whose routing key is never shown back, and sends a test", async () => {
    await openForm();
    await typeRadio("PagerDuty").check();
    await form().getByLabel("Name").fill("On-call (PagerDuty)");
    await urlField().fill(`${receiver.url}/v2/enqueue`);
    await form().getByLabel("Integration key (routing key)", { exact: true }).fill(ROUTING_KEY);
    const pdRow = await save("On-call (PagerDuty)");
    expect(await pdRow.textContent()).toContain("PagerDuty · routing key set");
    await neverShown(ROUTING_KEY);
    const req = await sendTest(
      page.getByRole("listitem").filter({ hasText: "On-call (PagerDuty)" }),
    );
    expect(JSON.parse(req.body)).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: "trigger",
    });
  });

  it("creates Teams and Mattermost webhooks on local receivers and sends a test to each", async () => {
    await openForm();
    await typeRadio("Microsoft Teams").check();
    await form().getByLabel("Name").fill("Team channel (Teams)");
    await urlField().fill(
      `${receiver.url}/workflows/abc/triggers/manual/paths/invoke?sig=${TEAMS_SIG}`,
    );
    await save("Team channel (Teams)");
    await neverShown(TEAMS_SIG);
    const teams = await sendTest(
      page.getByRole("listitem").filter({ hasText: "Team channel (Teams)" }),
    );
    expect(JSON.parse(teams.body)).toMatchObject({ type: "message" });

    // A Mattermost hook is recognised on any host by its path: this one is inferred.
    await openForm();
    await form().getByLabel("Name").fill("Self-hosted chat (Mattermost)");
    await urlField().fill(`${receiver.url}/hooks/${MATTERMOST_ID}`);
    expect(await checkedType()).toBe("Mattermost");
    await save("Self-hosted chat (Mattermost)");
    await neverShown(MATTERMOST_ID);
    const mm = await sendTest(
      page.getByRole("listitem").filter({ hasText: "Self-hosted chat (Mattermost)" }),
    );
    expect(mm.url).toBe(`/hooks/${MATTERMOST_ID}`);
    expect(JSON.parse(mm.body)).toHaveProperty("attachments");
  });
});

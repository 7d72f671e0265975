import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { PUT as putPrefs } from "@/app/api/alerts/preferences/route";
import { POST as progress } from "@/app/api/training/jobs/[id]/progress/route";
import { PUT } from "@/app/api/training/jobs/[id]/route";
import { call, makeUser, SERVICE_KEY, startTestApp, type TestApp } from "./helpers/app";
import { manualEngine } from "./helpers/engine";

let app: TestApp;
let engine: Awaited<ReturnType<typeof manualEngine>>;
beforeAll(async () => {
  app = await startTestApp();
  engine = await manualEngine(app);
});
afterAll(async () => {
  await engine?.stop();
  await app?.close();
});
beforeEach(() => app.setNow(new Date("2026-03-02T10:00:00Z")));

const putJob = (id: string, body: Record<string, unknown>) =>
  call(PUT, "PUT", `/api/training/jobs/${id}`, { token: SERVICE_KEY, body, params: { id } });
const postProgress = (id: string, body: Record<string, unknown>) =>
  call(progress, "POST", `/api/training/jobs/${id}/progress`, {
    token: SERVICE_KEY,
    body,
    params: { id },
  });

async function runningJob() {
  const user = await makeUser(app);
  const prefs = await call(putPrefs, "PUT", "/api/alerts/preferences", {
    token: user.token,
    body: { email_address: user.email },
  });
  expect(prefs.status).toBe(200);
  const id = randomUUID();
  const res = await putJob(id, {
    user_id: user.id,
    status: "running",
    model_name: "gpt-sweep-17",
    total_steps: 1000,
  });
  expect(res.status).toBe(201);
  return { user, id };
}

const divergedEvents = async (jobId: string) =>
  (
    await app.ctx.db.query<{ data: Record<string, unknown> }>(
      "select data from alert_events where job_id = $1 and type = 'loss_diverged'",
      [jobId],
    )
  ).rows;

const alertsOf = async (jobId: string, type: string) =>
  (
    await app.ctx.db.query<{ title: string; message: string; status: string }>(
      "select title, message, status from alert_history where job_id = $1 and alert_type = $2",
      [jobId, type],
    )
  ).rows;

describe("loss_diverged", () => {
  it("a NaN loss on the progress route makes one alert with the step and the last finite loss", async () => {
    const { id, user } = await runningJob();
    expect((await postProgress(id, { current_step: 100, loss: 2.4137 })).status).toBe(200);
    const nan = await postProgress(id, { current_step: 120, loss: "nan" });
    expect(nan.status).toBe(200);
    // The last finite loss is kept: a NaN is not stored over it.
    expect(nan.body).toMatchObject({ current_step: 120, loss: 2.4137 });
    // Later NaNs, infinities and the jobs route add nothing: once per job.
    expect((await postProgress(id, { current_step: 121, loss: "nan" })).status).toBe(200);
    expect((await postProgress(id, { current_step: 122, loss: "-inf" })).status).toBe(200);
    expect((await putJob(id, { loss: "inf" })).status).toBe(200);

    const events = await divergedEvents(id);
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({
      loss: "nan",
      current_step: 120,
      last_finite_loss: 2.4137,
      model_name: "gpt-sweep-17",
    });
    await engine.drain();
    const alerts = await alertsOf(id, "loss_diverged");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.title).toBe("📉 Loss diverged: gpt-sweep-17");
    expect(alerts[0]?.message).toContain("NaN loss at step 120");
    expect(alerts[0]?.message).toContain("the last finite loss was 2.414");
    expect(alerts[0]?.status).toBe("sent");
    expect(engine.mails.filter((m) => m.to.includes(user.email))).toHaveLength(1);
  });

  it("an infinite loss on the jobs route raises it too, and the job completes with its last finite loss", async () => {
    const { id } = await runningJob();
    expect((await putJob(id, { current_step: 40, loss: 0.9 })).status).toBe(200);
    const inf = await putJob(id, { current_step: 41, loss: "Infinity" });
    expect(inf.status).toBe(200);
    expect(inf.body.loss).toBe(0.9);
    const events = await divergedEvents(id);
    expect(events.map((e) => e.data)).toEqual([
      expect.objectContaining({ loss: "inf", current_step: 41, last_finite_loss: 0.9 }),
    ]);
    const done = await putJob(id, { status: "completed" });
    expect(done.body).toMatchObject({ status: "completed", loss: 0.9 });
  });

  it("says so when no finite loss came before", async () => {
    const { id } = await runningJob();
    expect((await postProgress(id, { current_step: 1, loss: "-inf" })).status).toBe(200);
    await engine.drain();
    const [alert] = await alertsOf(id, "loss_diverged");
    expect(alert?.message).toContain("−Infinity loss at step 1");
    expect(alert?.message).toContain("no finite loss was reported before it");
  });

  it("refuses a loss that is neither a number nor nan/inf/-inf (422)", async () => {
    const { id } = await runningJob();
    const res = await postProgress(id, { current_step: 5, loss: "lots" });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { path: "loss", message: 'must be a number, or one of "nan", "inf", "-inf"' },
    ]);
    expect(await divergedEvents(id)).toHaveLength(0);
  });

  it("can be posted as an event, needs a job id, and is off when its flag is off", async () => {
    const user = await makeUser(app);
    const send = (body: Record<string, unknown>) =>
      call(postEvent, "POST", "/api/alerts/events", { token: SERVICE_KEY, body });
    const missing = await send({ type: "loss_diverged", user_id: user.id, data: { loss: "nan" } });
    expect(missing.status).toBe(422);
    const prefs = await call(putPrefs, "PUT", "/api/alerts/preferences", {
      token: user.token,
      body: { email_address: user.email },
    });
    expect(prefs.body.alert_loss_diverged).toBe(true);
    const jobId = randomUUID();
    const data = { loss: "nan", current_step: 7, last_finite_loss: 3.1 };
    expect(
      (await send({ type: "loss_diverged", user_id: user.id, job_id: jobId, data })).status,
    ).toBe(202);
    await engine.drain();
    const [alert] = await alertsOf(jobId, "loss_diverged");
    expect(alert?.message).toContain("at step 7");

    await call(putPrefs, "PUT", "/api/alerts/preferences", {
      token: user.token,
      body: { alert_loss_diverged: false },
    });
    const quiet = randomUUID();
    expect(
      (await send({ type: "loss_diverged", user_id: user.id, job_id: quiet, data })).status,
    ).toBe(202);
    await engine.drain();
    const { rows } = await app.ctx.db.query<{ outcome: string }>(
      "select outcome from alert_events where job_id = $1",
      [quiet],
    );
    expect(rows).toEqual([{ outcome: "no_channels" }]);
  });
});

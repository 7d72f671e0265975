import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/types";
import { HttpError } from "@/lib/errors/http-error";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import type { JobPut } from "./api/jobs.schema";
import { type JobWriter, putTrainingJob } from "./put-training-job";
import type { JobStatus } from "./triggers/training-job.trigger";

let testDb: TestDb;
let db: Db;
beforeAll(async () => {
  testDb = await createTestDb();
  db = testDb.db;
});
afterAll(() => testDb?.drop());

const NOW = new Date("2026-03-02T10:00:00Z");
const WAKE = "alerts_wake_test";

/** The service key's answers: any user, named by the body. */
const service: JobWriter = {
  actsForAnyone: true,
  mayAccess: () => true,
  actingUserId: (requested) => {
    if (!requested) throw HttpError.field("user_id", "is required with the service key");
    return requested;
  },
};
/** A producer key's answers: its owner's jobs only. */
const producerOf = (userId: string): JobWriter => ({
  actsForAnyone: false,
  mayAccess: (jobUserId) => jobUserId === userId,
  actingUserId: (requested) => {
    if (requested && requested !== userId) throw new HttpError("forbidden", "not your user");
    return userId;
  },
});

const put = (id: string, body: JobPut, writer: JobWriter = service) =>
  putTrainingJob(db, { id, body, writer, now: NOW, wakeChannel: WAKE });

/** The error a write was refused with. */
async function refusal(write: Promise<unknown>): Promise<HttpError> {
  const error = await write.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HttpError)) throw new Error(`expected an HttpError, got ${error}`);
  return error;
}

const storedJob = async (id: string) =>
  (
    await db.query<{ status: string; user_id: string; loss: number | null }>(
      "select status, user_id, loss from training_jobs where id = $1",
      [id],
    )
  ).rows[0];

const eventTypes = async (jobId: string) =>
  (
    await db.query<{ type: string }>(
      "select type from alert_events where job_id = $1 order by received_at, type",
      [jobId],
    )
  ).rows.map((r) => r.type);

async function jobIn(status: JobStatus, userId = randomUUID()) {
  const id = randomUUID();
  const { created } = await put(id, { user_id: userId, status });
  expect(created).toBe(true);
  return id;
}

// Every pair of statuses; the rule: a finished job stays finished, none goes
// back to queued, repeating the same status is fine (producers retry).
const ALLOWED: Record<JobStatus, JobStatus[]> = {
  queued: ["queued", "running", "completed", "failed", "cancelled"],
  running: ["running", "completed", "failed", "cancelled"],
  completed: ["completed"],
  failed: ["failed"],
  cancelled: ["cancelled"],
};
const PAIRS = (Object.keys(ALLOWED) as JobStatus[]).flatMap((from) =>
  (Object.keys(ALLOWED) as JobStatus[]).map(
    (to) => [from, to, ALLOWED[from].includes(to)] as const,
  ),
);

describe("putTrainingJob", () => {
  it("creates a job for the user the service key names, then updates it", async () => {
    const userId = randomUUID();
    const id = randomUUID();
    const first = await put(id, { user_id: userId, status: "queued", model_name: "m" });
    expect(first).toMatchObject({ created: true, job: { id, user_id: userId, status: "queued" } });
    const second = await put(id, { status: "running" });
    expect(second).toMatchObject({
      created: false,
      job: { id, status: "running", model_name: "m" },
    });
    expect(await eventTypes(id)).toContain("job_started");
  });

  it.each(PAIRS)("%s → %s is allowed: %s", async (from, to, allowed) => {
    const id = await jobIn(from);
    if (allowed) {
      expect((await put(id, { status: to })).job.status).toBe(to);
      return;
    }
    const error = await refusal(put(id, { status: to }));
    expect(error.status).toBe(409);
    expect(error.options.errors?.[0]?.path).toBe("status");
    expect((await storedJob(id))?.status).toBe(from);
  });

  it("refuses to move a job to another user (409 on user_id) and keeps its owner", async () => {
    const owner = randomUUID();
    const id = await jobIn("running", owner);
    const error = await refusal(put(id, { user_id: randomUUID(), status: "completed" }));
    expect(error.status).toBe(409);
    expect(error.options.errors?.[0]?.path).toBe("user_id");
    expect(await storedJob(id)).toMatchObject({ user_id: owner, status: "running" });
  });

  it("answers not found for another user's job to a producer key, and changes nothing", async () => {
    const id = await jobIn("running");
    const error = await refusal(put(id, { status: "failed" }, producerOf(randomUUID())));
    expect(error.status).toBe(404);
    expect((await storedJob(id))?.status).toBe("running");
  });

  it("lets a producer key update its owner's job, but not name another user in the body", async () => {
    const owner = randomUUID();
    const id = await jobIn("queued", owner);
    expect((await put(id, { status: "running" }, producerOf(owner))).job.status).toBe("running");
    const error = await refusal(put(id, { user_id: randomUUID() }, producerOf(owner)));
    expect(error.status).toBe(403);
  });

  it("creates a producer key's job for its owner", async () => {
    const owner = randomUUID();
    await put(randomUUID(), { user_id: owner, status: "queued" }); // the owner's user row
    const id = randomUUID();
    const { job, created } = await put(id, { status: "queued" }, producerOf(owner));
    expect(created).toBe(true);
    expect(job.user_id).toBe(owner);
  });

  it("keeps the last finite loss and raises loss_diverged once for a non-finite one", async () => {
    const id = await jobIn("running");
    await put(id, { loss: 0.5 });
    const diverged = await put(id, { loss: Number.NaN });
    expect(diverged.job.loss).toBe(0.5);
    await put(id, { loss: Number.POSITIVE_INFINITY });
    expect((await storedJob(id))?.loss).toBe(0.5);
    expect((await eventTypes(id)).filter((t) => t === "loss_diverged")).toHaveLength(1);
  });
});

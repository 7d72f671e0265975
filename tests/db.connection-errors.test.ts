import { describe, expect, it } from "vitest";
import { isConnectionError } from "@/lib/db/connection-errors";
import { createPgDb } from "@/lib/db/pg";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("isConnectionError", () => {
  it("recognises a server that is down, shutting down, starting up or that closed the connection", () => {
    expect(isConnectionError(withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED"))).toBe(
      true,
    );
    expect(
      isConnectionError(withCode("terminating connection due to administrator command", "57P01")),
    ).toBe(true);
    expect(isConnectionError(withCode("the database system is shutting down", "57P03"))).toBe(true);
    expect(isConnectionError(withCode("the database system is starting up", "57P03"))).toBe(true);
    expect(isConnectionError(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isConnectionError(new Error("timeout exceeded when trying to connect"))).toBe(true);
    expect(
      isConnectionError(
        new Error("Client has encountered a connection error and is not queryable"),
      ),
    ).toBe(true);
  });

  it("recognises a name whose every address refused the connection", () => {
    const refused = new AggregateError([
      withCode("connect ECONNREFUSED ::1:5432", "ECONNREFUSED"),
      withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED"),
    ]);
    expect(isConnectionError(refused)).toBe(true);
  });

  it("does not take a problem with the statement for a connection problem", () => {
    expect(isConnectionError(withCode("duplicate key value", "23505"))).toBe(false);
    expect(isConnectionError(withCode("deadlock detected", "40P01"))).toBe(false);
    expect(isConnectionError(withCode('relation "nope" does not exist', "42P01"))).toBe(false);
    expect(isConnectionError(new Error("something else"))).toBe(false);
    expect(isConnectionError("ECONNREFUSED")).toBe(false);
    expect(isConnectionError(undefined)).toBe(false);
  });

  it("recognises what a pool aimed at a port where nothing listens answers", async () => {
    const unreachable = createPgDb({ connectionString: "postgres://postgres@127.0.0.1:1/none" });
    try {
      const error = await unreachable.query("select 1").then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isConnectionError(error), String(error)).toBe(true);
    } finally {
      await unreachable.close();
    }
  });
});

import { describe, expect, it } from "vitest";
import { safeNext } from "@/app/_lib/session";

describe("the path sign-in returns to", () => {
  it("keeps a same-site path", () => {
    expect(safeNext("/training/monitor?jobId=1")).toBe("/training/monitor?jobId=1");
  });

  it("refuses other sites, however the path is disguised", () => {
    for (const next of [
      "https://evil.example/",
      "//evil.example/",
      "/\\evil.example/",
      "/\t/evil.example/",
      "/\n/evil.example/",
      "/\r/evil.example/",
      "/signin",
      undefined,
    ]) {
      expect(safeNext(next), JSON.stringify(next)).toBe("/settings/alerts");
    }
  });
});

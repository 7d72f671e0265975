import { describe, expect, it } from "vitest";
import { withFields } from "./with-fields";

describe("withFields", () => {
  it("gives what a spread gives: the same keys in the same order, later fields winning in place", () => {
    const data = JSON.parse('{"b":1,"alert_id":"forged","2":"two","a":{"x":1}}');
    const fields = { alert_id: "real", title: "t" };
    const copy = withFields(data, fields);
    expect(copy).toEqual({ ...data, ...fields });
    expect(Object.keys(copy)).toEqual(Object.keys({ ...data, ...fields }));
    expect(JSON.stringify(copy)).toBe(JSON.stringify({ ...data, ...fields }));
  });

  it("keeps an own __proto__ key as data, never as the prototype", () => {
    const data = JSON.parse('{"__proto__":{"polluted":true},"a":1}');
    const copy = withFields(data, { b: 2 });
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.stringify(copy)).toBe('{"__proto__":{"polluted":true},"a":1,"b":2}');
  });
});

import { describe, expect, it } from "vitest";
import { parseCidr } from "./cidr-range";
import { ipFromHost, isForbiddenAddress } from "./outbound";

describe("outbound address policy", () => {
  it.each([
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "ff02::1",
    "not an ip",
  ])("blocks %s", (ip) => {
    expect(isForbiddenAddress(ip)).toBe(true);
  });

  it.each(["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34"])(
    "allows the public address %s",
    (ip) => {
      expect(isForbiddenAddress(ip)).toBe(false);
    },
  );

  it("lets operators exempt ranges", () => {
    expect(isForbiddenAddress("127.0.0.1", [parseCidr("127.0.0.0/8")])).toBe(false);
    expect(isForbiddenAddress("10.0.0.1", [parseCidr("127.0.0.0/8")])).toBe(true);
    expect(isForbiddenAddress("::1", [parseCidr("::1/128")])).toBe(false);
  });

  it("reads IP literals the way URLs write them", () => {
    expect(ipFromHost(new URL("https://2130706433/").hostname)).toBe("127.0.0.1");
    expect(ipFromHost(new URL("https://0x7f.1/").hostname)).toBe("127.0.0.1");
    expect(ipFromHost(new URL("https://0177.0.0.1./").hostname)).toBe("127.0.0.1");
    expect(ipFromHost(new URL("https://[::ffff:7f00:1]/").hostname)).toBe("::ffff:7f00:1");
    expect(ipFromHost("hooks.slack.com")).toBeUndefined();
  });
});

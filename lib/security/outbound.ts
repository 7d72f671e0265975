import ipaddr from "ipaddr.js";

/**
 * Address ranges a webhook may never reach (DESIGN.md §6, Outbound safety):
 * everything ipaddr.js does not call "unicast" — private, loopback,
 * link-local (cloud metadata at 169.254.169.254), CGNAT, multicast, reserved,
 * unspecified, and the IPv6 forms that embed such an IPv4 address.
 */
export function isForbiddenAddress(address: string, allowedCidrs: readonly string[] = []): boolean {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address);
  } catch {
    return true;
  }
  // An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is judged as the IPv4 address.
  if (ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress()) {
    ip = (ip as ipaddr.IPv6).toIPv4Address();
  }
  for (const cidr of allowedCidrs) {
    const parsed = parseCidr(cidr);
    // Configuration validated CIDRs at start-up; an unparsable one allows nothing.
    if (parsed && parsed[0].kind() === ip.kind() && ip.match(parsed as never)) return false;
  }
  const kind = ip.range();
  if (ip.kind() === "ipv6" && kind === "rfc6052") {
    // NAT64 (64:ff9b::/96) carries an IPv4 address in its last 32 bits.
    const bytes = ip.toByteArray().slice(12);
    return isForbiddenAddress(bytes.join("."), allowedCidrs);
  }
  return kind !== "unicast";
}

/** Parsed ranges, kept: every send checks its address against each one. */
const cidrs = new Map<string, [ipaddr.IPv4 | ipaddr.IPv6, number] | null>();
function parseCidr(cidr: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  let parsed = cidrs.get(cidr);
  if (parsed === undefined) {
    try {
      parsed = ipaddr.parseCIDR(cidr);
    } catch {
      parsed = null;
    }
    // The configuration's few ranges, and tests' own: bounded in practice, capped anyway.
    if (cidrs.size < 1000) cidrs.set(cidr, parsed);
  }
  return parsed;
}

/** Parses an IP literal as a URL host writes it (brackets, decimal/octal/hex IPv4), or undefined. */
export function ipFromHost(hostname: string): string | undefined {
  const host = hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "");
  if (ipaddr.IPv6.isValid(host)) return host;
  // WHATWG URL parsing already normalises 0x7f.1, 2130706433 and 0177.0.0.1 to dotted decimal.
  if (ipaddr.IPv4.isValidFourPartDecimal(host)) return host;
  return undefined;
}

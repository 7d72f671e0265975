import ipaddr from "ipaddr.js";

/**
 * An address range from ALERTS_WEBHOOK_ALLOWED_CIDRS, parsed once when the
 * configuration is read; the connect-time check matches addresses against it
 * without parsing text again per request.
 */
export interface CidrRange {
  /** As configured, e.g. `10.0.0.0/8`: for messages and the connection pool's key. */
  readonly cidr: string;
  readonly network: ipaddr.IPv4 | ipaddr.IPv6;
  readonly bits: number;
}

/**
 * Parses `10.0.0.0/8` or `fd00::/8`; throws ipaddr.js's error on anything else,
 * including a prefix too long for the family (`10.0.0.0/99`).
 */
export function parseCidr(cidr: string): CidrRange {
  const [network, bits] = ipaddr.parseCIDR(cidr);
  return { cidr, network, bits };
}

/** Whether `ip` lies in `range`; an address of the other family never does. */
export function rangeContains(range: CidrRange, ip: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (ip.kind() !== range.network.kind()) return false;
  return ip.kind() === "ipv4"
    ? (ip as ipaddr.IPv4).match(range.network as ipaddr.IPv4, range.bits)
    : (ip as ipaddr.IPv6).match(range.network as ipaddr.IPv6, range.bits);
}

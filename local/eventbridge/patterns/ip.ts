/**
 * IPv4/IPv6 parsing for the `cidr` operator and for exact string values that are IP
 * addresses (event-ruler turns those into single-address ranges).
 */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export interface IpRange {
  readonly family: 4 | 6;
  readonly network: bigint;
  readonly maskBits: number;
}

const IPV4_PART = /^(0|[1-9][0-9]{0,2})$/;

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!IPV4_PART.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseHextets(groups: string[]): bigint[] | undefined {
  const out: bigint[] = [];
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    out.push(BigInt(`0x${group}`));
  }
  return out;
}

function parseIpv6(text: string): bigint | undefined {
  if (!text.includes(":")) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  let groups: bigint[];
  if (halves.length === 2) {
    const head = halves[0] === "" ? [] : parseHextets((halves[0] ?? "").split(":"));
    const tail = halves[1] === "" ? [] : parseHextets((halves[1] ?? "").split(":"));
    if (!head || !tail) return undefined;
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<bigint>(missing).fill(0n), ...tail];
  } else {
    const all = parseHextets(text.split(":"));
    if (all === undefined || all.length !== 8) return undefined;
    groups = all;
  }
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Parses a plain IPv4 or IPv6 address; undefined when the text is not one. */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIpv6(text);
  if (v6 !== undefined) return { family: 6, value: v6 };
  return undefined;
}

/** Parses `ip/mask`, throwing with event-ruler's reason text on a malformed CIDR. */
export function parseCidr(text: string): IpRange {
  const parts = text.split("/");
  if (parts.length !== 2) throw new Error("Malformed CIDR, one '/' required");
  const [ipText = "", maskText = ""] = parts;
  if (!/^[0-9]+$/.test(maskText)) throw new Error("Malformed CIDR, mask bits must be an integer");
  const ip = parseIp(ipText);
  if (!ip) throw new Error(`Nonstandard IP address: ${ipText}`);
  const width = ip.family === 4 ? 32 : 128;
  const maskBits = Number(maskText);
  if (maskBits < 0 || maskBits > width) {
    throw new Error(`Malformed CIDR, mask bits must be between 0 and ${width}`);
  }
  const shift = BigInt(width - maskBits);
  return { family: ip.family, network: (ip.value >> shift) << shift, maskBits };
}

export function ipInRange(ip: IpAddress, range: IpRange): boolean {
  if (ip.family !== range.family) return false;
  const shift = BigInt((ip.family === 4 ? 32 : 128) - range.maskBits);
  return ip.value >> shift === range.network >> shift;
}

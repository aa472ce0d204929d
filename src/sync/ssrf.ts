import dns from 'node:dns';
import ipaddr from 'ipaddr.js';

/**
 * Where webhooks may point. Public unicast addresses always; loopback and private ranges (RFC 1918,
 * CGNAT, IPv6 unique-local) only with WEBHOOK_ALLOW_PRIVATE_TARGETS=true; link-local (which holds
 * the cloud metadata service, 169.254.169.254), known metadata addresses, and unspecified, multicast,
 * broadcast and reserved ranges never.
 */
const PRIVATE = new Set(['loopback', 'private', 'uniqueLocal', 'carrierGradeNat']);
const ALWAYS_REFUSED = ['fd00:ec2::254', '100.100.100.200'];

export class TargetRefused extends Error {}

/** Why `address` may not be a webhook target, or undefined when it may. */
export function refusal(address: string, allowPrivate: boolean): string | undefined {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const normal = ip.toNormalizedString();
  if (ALWAYS_REFUSED.some((a) => ipaddr.parse(a).toNormalizedString() === normal)) return `${address} is a cloud metadata address`;
  const range = ip.range();
  if (range === 'unicast') return undefined;
  if (PRIVATE.has(range)) return allowPrivate ? undefined : `${address} is a ${range} address (set WEBHOOK_ALLOW_PRIVATE_TARGETS=true to allow it)`;
  return `${address} is a ${range} address`;
}

/** The URL's host resolved, every address checked; the addresses a delivery may connect to. */
export async function resolveTarget(host: string, allowPrivate: boolean): Promise<{ address: string; family: number }[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  const addresses = ipaddr.isValid(bare) ? [{ address: bare, family: bare.includes(':') ? 6 : 4 }] : await dns.promises.lookup(bare, { all: true, verbatim: true });
  if (!addresses.length) throw new TargetRefused(`${host} does not resolve`);
  for (const a of addresses) {
    const why = refusal(a.address, allowPrivate);
    if (why) throw new TargetRefused(`${host} resolves to ${why}`);
  }
  return addresses;
}

/** A webhook URL: http or https, a host, no credentials; the reason when it is not one. */
export function urlProblem(raw: string): string | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http or https URL';
  if (!u.hostname) return 'must name a host';
  if (u.username || u.password) return 'must not contain credentials';
  if (raw.length > 2000) return 'must be at most 2000 characters';
  return undefined;
}

// Who a client is, for counting what it does. An IPv4 address names one line (a home router, a phone's
// carrier NAT). An IPv6 line is given a whole /64 and its devices pick new addresses inside it every
// day (privacy addresses), so an IPv6 client is its /64: otherwise rotating within the /64 gets past
// every per-address count, and a phone is never recognised as the one that logged in yesterday.
import { isIP } from 'node:net';

/**
 * An IPv4 address as it is (also when written as IPv6, ::ffff:a.b.c.d); an IPv6 one as its /64, in
 * the form PostgreSQL prints it (`host(network(set_masklen(address::inet, 64))) || '/64'`), so a
 * migration can compute the same key in SQL. Anything that is not an address is returned unchanged.
 */
export function clientKey(address: string): string {
  const bare = address.split('%')[0]!; // a zone (fe80::1%eth0) names the local interface, not the client
  if (isIP(bare) !== 6) return address;
  const words = ipv6Words(bare);
  if (words.slice(0, 5).every((word) => word === 0) && words[5] === 0xffff) {
    return [words[6]! >> 8, words[6]! & 255, words[7]! >> 8, words[7]! & 255].join('.');
  }
  return `${formatIpv6([...words.slice(0, 4), 0, 0, 0, 0])}/64`;
}

/** The eight 16-bit words of a valid IPv6 address. */
function ipv6Words(address: string): number[] {
  // A dotted IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) is the last two words.
  const text = address
    .toLowerCase()
    .replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a: string, b: string, c: string, d: string) =>
      [Number(a) * 256 + Number(b), Number(c) * 256 + Number(d)].map((w) => w.toString(16)).join(':'),
    );
  const words = (part: string) => (part ? part.split(':').map((word) => parseInt(word, 16)) : []);
  if (!text.includes('::')) return words(text);
  const [head = '', tail = ''] = text.split('::');
  const left = words(head);
  const right = words(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** RFC 5952: lower-case hex, no leading zeros, the first longest run of two or more zero words as `::`. */
function formatIpv6(words: number[]): string {
  let best = { start: -1, length: 0 };
  for (let i = 0; i < words.length;) {
    let end = i;
    while (end < words.length && words[end] === 0) end += 1;
    if (end - i > best.length) best = { start: i, length: end - i };
    i = end > i ? end : i + 1;
  }
  const hex = words.map((word) => word.toString(16));
  if (best.length < 2) return hex.join(':');
  const before = hex.slice(0, best.start).join(':');
  const after = hex.slice(best.start + best.length).join(':');
  return `${before}::${after}`;
}

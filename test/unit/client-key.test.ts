// A client is counted as its IPv4 address or its IPv6 /64 (src/platform/net/client-key.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientKey } from '../../src/platform/net/client-key.ts';

test('an IPv4 address is itself, also when written as IPv6', () => {
  assert.equal(clientKey('203.0.113.7'), '203.0.113.7');
  assert.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(clientKey('::FFFF:cb00:7107'), '203.0.113.7');
});

test('an IPv6 address is its /64, written the one way PostgreSQL writes it', () => {
  const cases: [string, string][] = [
    ['2001:db8:1:2:8a3e:22ff:fe01:9c4d', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002::a', '2001:db8:1:2::/64'],
    ['2001:db8::77', '2001:db8::/64'],
    ['2001:0:0:1:ffff::', '2001:0:0:1::/64'],
    ['0:0:1:2:3:4:5:6', '0:0:1:2::/64'],
    ['1:0:0:0:2::', '1::/64'],
    ['::1', '::/64'],
    ['fe80::1%eth0', 'fe80::/64'],
    ['64:ff9b::198.51.100.1', '64:ff9b::/64'],
  ];
  for (const [address, key] of cases) assert.equal(clientKey(address), key, address);
});

test('what is not an address is left as it is', () => {
  for (const text of ['', 'unknown', 'not:an:address', '1.2.3']) assert.equal(clientKey(text), text);
});

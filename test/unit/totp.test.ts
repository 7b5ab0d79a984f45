import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  base32Decode,
  base32Encode,
  currentStep,
  otpauthUri,
  totpCode,
  verifyTotp,
} from '../../src/platform/accounts/totp.ts';

// RFC 6238 appendix B, SHA-1 seed "12345678901234567890"; the 6-digit code is the last 6 of the 8-digit one.
const RFC_SECRET = base32Encode(Buffer.from('12345678901234567890'));
const VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

test('codes match the RFC 6238 test vectors', () => {
  for (const [time, expected] of VECTORS) {
    assert.equal(totpCode(RFC_SECRET, currentStep(time * 1000)), expected.slice(-6), `T=${time}`);
  }
});

test('a code is accepted within one step of drift and only once', () => {
  const now = 1_700_000_000_000;
  const step = currentStep(now);
  const code = totpCode(RFC_SECRET, step);
  assert.equal(verifyTotp(RFC_SECRET, code, now, 0), step);
  assert.equal(verifyTotp(RFC_SECRET, code, now, step), undefined, 'the same code again is refused');
  assert.equal(
    verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, step - 1), now, 0),
    step - 1,
    'previous step allowed',
  );
  assert.equal(
    verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, step - 2), now, 0),
    undefined,
    'two steps old refused',
  );
  assert.equal(verifyTotp(RFC_SECRET, 'abcdef', now, 0), undefined);
  assert.equal(verifyTotp(RFC_SECRET, '1234567', now, 0), undefined);
});

test('base32 round-trips and the otpauth URI carries the parameters', () => {
  const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255]);
  assert.deepEqual(base32Decode(base32Encode(bytes)), bytes);
  const uri = new URL(otpauthUri('JBSWY3DPEHPK3PXP', 'owner@shop.example'));
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.searchParams.get('secret'), 'JBSWY3DPEHPK3PXP');
  assert.equal(uri.searchParams.get('issuer'), 'shopkeep');
  assert.equal(uri.searchParams.get('period'), '30');
});

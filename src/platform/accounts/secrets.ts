// Password hashing and the random values behind sessions, tokens and recovery codes.
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { createHash, randomBytes, randomInt } from 'node:crypto';

// OWASP's argon2id minimum is 19 MiB, t=2, p=1; a little more memory still hashes in well under a second on a Pi.
const ARGON_ID = 2; // Algorithm.Argon2id (a const enum, which isolated modules cannot import)
const ARGON = { algorithm: ARGON_ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 12;

export function hashPassword(password: string): Promise<string> {
  return argonHash(password, ARGON);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argonVerify(hash, password);
  } catch {
    return false;
  }
}

/** A hash of nothing in particular, verified when the account does not exist so timing does not reveal it. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Recovery codes: ten groups like `k7q2-x9mf`, easy to write down, 40 bits each. */
export function newRecoveryCodes(count = 10): string[] {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  return Array.from({ length: count }, () => {
    const chars = Array.from({ length: 8 }, () => alphabet[randomInt(alphabet.length)]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}`;
  });
}

export function normaliseRecoveryCode(code: string): string {
  // `K7Q2-X9MF`, `k7q2 x9mf` and `k7q2x9mf` are the same code.
  return code.trim().toLowerCase().replace(/[\s-]/g, '');
}

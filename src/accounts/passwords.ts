/**
 * Password hashing: scrypt (node:crypto) with a random 16-byte salt per password and the parameters stored
 * beside the hash, `scrypt$<log2 N>$<r>$<p>$<salt base64url>$<hash base64url>`, so that the cost can be
 * raised later without breaking stored hashes. Verification recomputes the hash with the stored
 * parameters and compares in constant time (timingSafeEqual).
 *
 * Default cost: N = 2^17, r = 8, p = 1 (OWASP's minimum for scrypt; 128 MiB and ~0.3 s a hash on the 2-core
 * machine). `RECO_SCRYPT_LOG2N` lowers it for tests (never below 2^12).
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { InvalidInputError } from '../errors.js';

export const MIN_PASSWORD = 8;
export const MAX_PASSWORD = 128;

export interface ScryptCost {
  log2N: number;
  r: number;
  p: number;
}

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

/** The cost of new hashes: OWASP's, or RECO_SCRYPT_LOG2N (12..20). */
export function defaultCost(env = process.env['RECO_SCRYPT_LOG2N']): ScryptCost {
  const n = env === undefined || env === '' ? 17 : Number(env);
  if (!Number.isInteger(n) || n < 12 || n > 20)
    throw new InvalidInputError('RECO_SCRYPT_LOG2N', `must be an integer from 12 to 20, got "${env}"`);
  return { log2N: n, r: 8, p: 1 };
}

function derive(password: string, salt: Buffer, c: ScryptCost): Promise<Buffer> {
  const N = 2 ** c.log2N;
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { N, r: c.r, p: c.p, maxmem: 256 * N * c.r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

/** Why a new password is refused (length in characters), or undefined. */
export function passwordProblem(password: string): string | undefined {
  const n = [...password].length;
  if (n < MIN_PASSWORD) return `must have at least ${MIN_PASSWORD} characters`;
  if (n > MAX_PASSWORD) return `must have at most ${MAX_PASSWORD} characters`;
  return undefined;
}

export async function hashPassword(password: string, cost: ScryptCost = defaultCost()): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, cost);
  return ['scrypt', cost.log2N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/** Whether `password` matches `stored`; false for a hash this code cannot read. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [log2N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![log2N, r, p].every((x) => Number.isInteger(x) && x > 0) || log2N > 22) return false;
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length !== KEY_LENGTH) return false;
  // over-long input is refused before any work (scrypt's cost does not depend on it, but keep it bounded)
  if (password.length > 4 * MAX_PASSWORD) return false;
  const key = await derive(password, Buffer.from(parts[4]!, 'base64url'), { log2N, r, p });
  return timingSafeEqual(key, expected);
}

/** A stored hash of a random password: verifying against it costs what a real one does (unknown emails). */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(24).toString('base64url'));
  return decoy;
}

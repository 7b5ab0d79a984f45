// A number in [0, 1) from a text, the same every time: the planner's tie-breaks.
import { createHash } from 'node:crypto';

export function hashUnit(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

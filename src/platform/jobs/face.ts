// What the operations pages ask of the job queue: how many jobs each queue holds, and the dead
// letters (jobs that failed every attempt) to retry or dismiss.
import type { DeadLetter } from './job-queue.ts';

export interface JobQueues {
  counts(): Promise<{ queue: string; state: string; count: number }[]>;
  deadLetters(limit?: number): Promise<DeadLetter[]>;
  deadLetterCount(): Promise<number>;
  /** Refused as not_found for a dead letter that is not waiting (resolved, or never there). */
  resolveDeadLetter(id: string, resolution: 'retried' | 'dismissed'): Promise<void>;
}

// The backups API: what was backed up and when, the restore drills, and a backup started now.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Nullable, responses, Timestamp } from '../../../platform/http/schemas.ts';
import type { OpsParts } from '../index.ts';

const Backup = Type.Object({
  id: Type.String({ description: "the run's id, also the tag of its snapshot at the target" }),
  startedAt: Timestamp(),
  finishedAt: Nullable(Timestamp()),
  status: Type.Enum(['running', 'succeeded', 'failed']),
  trigger: Type.Enum(['schedule', 'manual', 'catch-up']),
  target: Nullable(Type.String({ description: 'where it went (no password)' })),
  snapshotId: Nullable(Type.String({ description: "restic's snapshot id" })),
  bytes: Nullable(Type.Integer({ description: 'what the backup holds: the database dump and the files' })),
  addedBytes: Nullable(Type.Integer({ description: 'new data it stored at the target, compressed' })),
  tables: Nullable(Type.Integer()),
  rows: Nullable(Type.Integer()),
  files: Nullable(Type.Integer()),
  error: Nullable(Type.String({ description: 'why it failed' })),
  forgottenAt: Nullable(Timestamp('when retention removed it from the target')),
});

const Drill = Type.Object({
  id: Type.Integer(),
  backupId: Nullable(Type.String()),
  snapshotId: Nullable(Type.String()),
  startedAt: Timestamp(),
  finishedAt: Nullable(Timestamp()),
  status: Type.Enum(['running', 'succeeded', 'failed']),
  restoreSeconds: Nullable(Type.Number({ description: 'restore and checks, in seconds' })),
  rows: Nullable(Type.Integer()),
  checks: Type.Array(Type.Object({ name: Type.String(), problems: Type.Array(Type.String()) })),
  error: Nullable(Type.String()),
});

const Backups = Type.Object({
  configured: Type.Boolean({ description: 'a target is set' }),
  target: Nullable(Type.String({ description: 'where backups go (no password)' })),
  backups: Type.Array(Backup, { description: 'the latest runs, newest first' }),
  drills: Type.Array(Drill, { description: 'the latest restore drills, newest first' }),
});

export function backupRoutes(app: FastifyInstance, ops: OpsParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { backups } = ops;

  api.get(
    '/backups',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['ops'],
        summary: 'Backups and restore drills',
        response: responses({ 200: Backups }),
      },
    },
    async () => ({
      configured: backups.configured,
      target: (await backups.status()).target ?? null,
      backups: await backups.list(),
      drills: await backups.drills(),
    }),
  );

  api.post(
    '/backups',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['ops'],
        summary: 'Start a backup now (it runs as a job; GET shows it)',
        response: responses({ 202: Type.Object({ queued: Type.Boolean() }) }),
      },
    },
    async (_request, reply) => {
      await ops.backUpNow();
      return reply.code(202).send({ queued: true });
    },
  );
}

// The backups' section of the operations page (for an admin): where they go, the last good one and
// the last drill at a glance, the latest runs with their sizes, and a button to back up now.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { html } from '../../../platform/dashboard/html.ts';
import { formatTime } from '../../../platform/dashboard/layout.ts';
import { backWithNotice, postButton, table } from '../../../platform/dashboard/components.ts';
import { AppError } from '../../../platform/errors.ts';
import { formBody } from '../../../platform/dashboard/form-body.ts';
import type { Panel } from '../../../platform/kit/module.ts';
import type { OpsParts } from '../index.ts';
import { mb } from './backups.ts';

export function backupPanel(ops: OpsParts): Panel {
  const { backups, timezone } = ops;
  const when = (date: Date | null | undefined) => (date ? formatTime(date, timezone) : '–');
  return {
    page: 'operations',
    id: 'backups',
    async render(request: FastifyRequest) {
      const principal = request.principal;
      if (!principal?.scopes.has('admin')) return html``;
      const status = await backups.status();
      if (!status.configured)
        return html`<section id="backups">
          <h2>Backups</h2>
          <p class="bad">Nothing backs this shop up yet.</p>
          <p>Set <code>SHOPKEEP_BACKUP_TARGET</code> (a folder on a second disk, <code>sftp://</code>, <code>s3://</code> or <code>rest:</code>) and <code>SHOPKEEP_BACKUP_PASSPHRASE</code>, then restart; docs/backups.md walks through it.</p>
        </section>`;
      const [runs, drills] = await Promise.all([backups.list(10), backups.drills(3)]);
      const drill = status.lastDrill;
      return html`<section id="backups">
        <h2>Backups</h2>
        <p>To <code>${status.target ?? ''}</code>, encrypted.</p>
        <div class="cards">
          <div class="card">
            <h3>Last good backup</h3>
            ${status.lastSuccess ? html`<span class="ok">${when(status.lastSuccess.startedAt)}</span>` : html`<span class="bad">none yet</span>`}
          </div>
          <div class="card">
            <h3>Last restore drill</h3>
            ${
              drill
                ? html`<span class="${drill.status === 'succeeded' ? 'ok' : 'bad'}">${when(drill.startedAt)}: ${drill.status === 'succeeded' ? `restored in ${(drill.restoreSeconds ?? 0).toFixed(0)} s, every check passed` : (drill.error ?? drill.status)}</span>`
                : html`<span class="muted">none yet (weekly, or <code>shopkeep backup verify</code>)</span>`
            }
          </div>
        </div>
        ${postButton(principal, '/ops/backups/run', 'Back up now')}
        ${table(
          ['Started', 'Result', 'Size', 'Tables, rows, files'],
          runs.map((run) => [
            html`${when(run.startedAt)}<br /><span class="muted">${run.trigger}</span>`,
            run.status === 'failed'
              ? html`<span class="bad">failed</span><br /><span class="muted">${run.error ?? ''}</span>`
              : html`<span class="${run.status === 'succeeded' ? 'ok' : ''}">${run.status}</span>${run.forgottenAt ? html`<br /><span class="muted">removed by retention</span>` : ''}`,
            run.bytes === null
              ? '–'
              : html`${mb(run.bytes)}<br /><span class="muted">${mb(run.addedBytes ?? 0)} new</span>`,
            run.tables === null ? '–' : `${run.tables} tables, ${run.rows} rows, ${run.files} files`,
          ]),
          'No backup has run yet.',
        )}
        ${
          drills.length > 1
            ? html`<p class="muted">Earlier drills: ${drills
                .slice(1)
                .map((d) => `${when(d.startedAt)} ${d.status}`)
                .join('; ')}</p>`
            : ''
        }
      </section>`;
    },
  };
}

/** The button's form: queues a backup and goes back to the section. */
export function backupPages(app: FastifyInstance, ops: OpsParts): void {
  app.post(
    '/run',
    { config: { access: 'admin' }, schema: { hide: true, body: formBody({}) } },
    async (_request, reply) => {
      try {
        await ops.backUpNow();
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return backWithNotice(reply, '/ops', error.message, { problem: true });
      }
      return backWithNotice(reply, '/ops', 'A backup has started: it shows below when it is done.');
    },
  );
}

// The audit log's section of the operations page: the last 50 entries, for the owner.
import type { FastifyRequest } from 'fastify';
import { html } from '../dashboard/html.ts';
import { formatTime } from '../dashboard/layout.ts';
import { table } from '../dashboard/components.ts';
import type { Panel } from '../kit/module.ts';
import type { AuditTrail } from './face.ts';

export function auditPanel(audit: AuditTrail, timezone: string): Panel {
  return {
    page: 'operations',
    id: 'audit',
    async render(request: FastifyRequest) {
      if (!request.principal?.scopes.has('admin')) return html``;
      const entries = await audit.recent(50);
      return html`<section id="audit">
        <h2>Audit log</h2>
        <p class="muted">Check the chain with <code>shopkeep audit verify</code>.</p>
        ${table(
          ['#', 'When', 'Who', 'What', 'Outcome'],
          entries.map((entry) => [
            entry.seq,
            formatTime(entry.at, timezone),
            html`${entry.actorLabel}<br /><span class="muted">${entry.ip ?? ''}</span>`,
            html`${entry.action} <span class="muted">${entry.target ?? ''}</span>`,
            entry.outcome,
          ]),
          'Nothing recorded yet.',
        )}
      </section>`;
    },
  };
}

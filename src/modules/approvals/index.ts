// Approvals: requests for the owner's decision (a post, a reply) and their life cycle (pending,
// approved, edited, rejected, expired), the pause switch, and the queue in the dashboard and the API.
// The owner also decides on Telegram: the telegram module shows the same requests there.
import { defineJob } from '../../platform/jobs/job-queue.ts';
import { defineModule, type Panel } from '../../platform/kit/module.ts';
import type { Logger } from '../../platform/logger.ts';
import { sourcePath } from '../../platform/paths.ts';
import { ApprovalService } from './approval-service.ts';
import { approvalEvents } from './events.ts';
import * as tables from './schema.ts';
import { approvalRoutes, pauseRoutes } from './routes.ts';
import { approvalPages } from './pages.ts';
import type { Approvals } from './face.ts';

export { reviewNote } from './review-note.ts';
export type {
  Approval,
  Approvals,
  ApprovalStatus,
  Decider,
  Decision,
  DecisionAction,
  NewApproval,
  PauseState,
  ReviewNote,
} from './face.ts';

export interface ApprovalsParts {
  approvals: ApprovalService;
  logger: Logger;
  /** What other modules add to the queue's page (writing a post now). */
  panels: () => Panel[];
}

declare module '../../platform/kit/faces.ts' {
  interface Faces {
    approvals: Approvals;
  }
}

const definition = defineModule<undefined, ApprovalsParts>({
  name: 'approvals',
  migrations: { dir: sourcePath('modules/approvals/migrations') },
  tables,
  events: approvalEvents,
  needs: ['audit'],
  build: ({ db, logger, use, contributions }) => ({
    approvals: new ApprovalService({ db, audit: use('audit') }),
    logger,
    panels: () => contributions.panels('approvals'),
  }),
  provides: { approvals: ({ approvals }) => approvals },
  jobs: ({ approvals, logger }) => [
    defineJob({
      name: 'approvals.expire',
      cron: '*/5 * * * *',
      handler: async () => {
        const expired = await approvals.expireDue();
        if (expired) logger.info({ expired }, 'approval requests expired');
      },
    }),
  ],
  http: [
    { prefix: '/api/v1/approvals', register: approvalRoutes },
    { prefix: '/api/v1', register: pauseRoutes },
    { prefix: '/approvals', register: approvalPages },
  ],
  menu: [{ href: '/approvals', label: 'Approvals', position: 25 }],
});

export default definition;

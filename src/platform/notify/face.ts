// What modules ask of notify: tell the owner something (kept in the Inbox, announced to the channels),
// and, for a channel, read a notice and deliver it to each target once.
import type { Notice, NoticeFilter, StoredNotice } from './notifications.ts';

export interface Notifier {
  /** Undefined when a notice with the same dedupe key was sent before. */
  send(notice: Notice): Promise<StoredNotice | undefined>;
  get(id: number): Promise<StoredNotice>;
  /** Newest first. */
  list(filter?: NoticeFilter): Promise<StoredNotice[]>;
  /** Runs `deliver` unless this notice reached this target of the channel before. */
  deliverOnce(noticeId: number, channel: string, target: string, deliver: () => Promise<void>): Promise<void>;
}

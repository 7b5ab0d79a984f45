// Where fetched mail lands: each batch read (outside the transaction), its attachments written by
// their hash, then in one transaction the messages stored (a message already there is skipped, so a
// batch fetched again after a crash or a dropped connection adds nothing), threaded, announced, and
// the folder's position moved past them. Either all of a batch is stored and the position moved, or
// neither.
import { mkdir, writeFile, access } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { transaction } from '../../platform/db/database.ts';
import { emit } from '../../platform/events/outbox.ts';
import type { FolderBatch, FolderState } from './imap.ts';
import { readMessage, type ReadMessage } from './message.ts';
import { threadFor } from './threads.ts';

export type FolderRole = 'inbox' | 'sent';

export class MessageStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly attachmentsDir: string,
    private readonly authservId: string | undefined,
  ) {}

  async folderState(mailbox: string, folder: string): Promise<FolderState> {
    const { rows } = await this.pool.query<{
      uid_validity: string | null;
      last_uid: string;
      highest_modseq: string | null;
    }>('select uid_validity, last_uid, highest_modseq from mail_folders where mailbox = $1 and path = $2', [
      mailbox,
      folder,
    ]);
    const row = rows[0];
    return {
      uidValidity: row?.uid_validity ? BigInt(row.uid_validity) : null,
      lastUid: Number(row?.last_uid ?? 0),
      highestModseq: row?.highest_modseq ?? null,
    };
  }

  async storeBatch(mailbox: string, folder: string, role: FolderRole, batch: FolderBatch): Promise<number> {
    const read: { uid: number; raw: Buffer; message: ReadMessage; internalDate: Date | null }[] = [];
    for (const fetched of batch.messages) {
      const message = await readMessage(fetched.raw, { authservId: this.authservId });
      if (fetched.truncated)
        message.parseError = `the message is over ${Math.round(fetched.raw.length / 1048576)} MB: only its headers were fetched`;
      await this.keepAttachments(message);
      read.push({ uid: fetched.uid, raw: fetched.raw, message, internalDate: fetched.internalDate });
    }
    return transaction(this.pool, async (client) => {
      const previous = await client.query<{ uid_validity: string | null }>(
        'select uid_validity from mail_folders where mailbox = $1 and path = $2 for update',
        [mailbox, folder],
      );
      const validity = batch.uidValidity.toString();
      const restarted = previous.rows[0]?.uid_validity && previous.rows[0].uid_validity !== validity;
      let stored = 0;
      let lastUid = 0;
      for (const { uid, raw, message, internalDate } of read) {
        lastUid = Math.max(lastUid, uid);
        const id = await this.insert(client, {
          mailbox,
          folder,
          role,
          uid,
          uidValidity: validity,
          raw,
          message,
          internalDate,
        });
        if (id === undefined) continue;
        stored += 1;
        if (role === 'inbox')
          await emit(client, 'email.received', {
            messageId: id,
            mailbox,
            from: message.from.address,
            subject: message.subject.slice(0, 200),
          });
      }
      await client.query(
        `insert into mail_folders (mailbox, path, role, uid_validity, last_uid, highest_modseq, synced_at)
         values ($1, $2, $3, $4, $5, $6, now())
         on conflict (mailbox, path) do update set role = excluded.role, uid_validity = excluded.uid_validity,
           last_uid = case when $7 then excluded.last_uid else greatest(mail_folders.last_uid, excluded.last_uid) end,
           highest_modseq = excluded.highest_modseq, synced_at = now()`,
        [mailbox, folder, role, validity, lastUid, batch.highestModseq, !!restarted],
      );
      return stored;
    });
  }

  /** Stores one message; undefined when the folder already holds it (its UID is brought up to date). */
  private async insert(
    client: pg.PoolClient,
    m: {
      mailbox: string;
      folder: string;
      role: FolderRole;
      uid: number;
      uidValidity: string;
      raw: Buffer;
      message: ReadMessage;
      internalDate: Date | null;
    },
  ): Promise<number | undefined> {
    const { message } = m;
    const direction = m.role === 'sent' ? 'out' : 'in';
    const existing = await client.query<{ id: string }>(
      `update mail_messages set uid = $4, uid_validity = $5 where mailbox = $1 and folder = $2 and message_id = $3 returning id`,
      [m.mailbox, m.folder, message.messageId, m.uid, m.uidValidity],
    );
    if (existing.rowCount) return undefined;
    const counterpart = direction === 'in' ? message.from.address : (message.to[0] ?? '');
    // What arrived counts from when the server took it; what the shop sent, from its Date header.
    const receivedAt =
      (direction === 'out' ? (message.sentAt ?? m.internalDate) : (m.internalDate ?? message.sentAt)) ??
      new Date();
    const threadId = await threadFor(client, message, counterpart, receivedAt);
    const { rows } = await client.query<{ id: string }>(
      `insert into mail_messages (mailbox, folder, uid_validity, uid, direction, message_id, in_reply_to, refs, thread_id,
         from_address, from_name, to_addresses, subject, sent_at, received_at, raw, size, headers, body, fresh, language,
         parse_error, attachments, dmarc)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24)
       on conflict (mailbox, folder, message_id) do nothing returning id`,
      [
        m.mailbox,
        m.folder,
        m.uidValidity,
        m.uid,
        direction,
        message.messageId,
        message.inReplyTo,
        message.references,
        threadId,
        message.from.address,
        message.from.name.slice(0, 200),
        message.to,
        message.subject.slice(0, 998),
        message.sentAt,
        receivedAt,
        m.raw,
        m.raw.length,
        JSON.stringify({ ...message.headers, dmarcDomain: message.dmarc.domain }),
        message.body.slice(0, 200_000),
        message.fresh.slice(0, 50_000),
        message.language,
        message.parseError,
        JSON.stringify(
          message.attachments.map(({ filename, contentType, size, sha256 }) => ({
            filename,
            contentType,
            size,
            sha256,
          })),
        ),
        message.dmarc.result,
      ],
    );
    return rows[0] ? Number(rows[0].id) : undefined;
  }

  /** Attachments are kept by their SHA-256, so the same file arriving twice is one file. */
  private async keepAttachments(message: ReadMessage): Promise<void> {
    for (const attachment of message.attachments) {
      const file = this.attachmentPath(attachment.sha256);
      try {
        await access(file);
      } catch {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, attachment.content, { mode: 0o600 });
      }
    }
  }

  attachmentPath(sha256: string): string {
    return path.join(this.attachmentsDir, sha256.slice(0, 2), sha256);
  }
}

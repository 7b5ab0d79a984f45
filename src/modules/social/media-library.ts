// Each post's images, prepared once: fetched from the catalog (or the owner's URLs), cropped for the
// post's format, saved under the data directory and recorded, then handed out at signed URLs.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type pg from 'pg';
import { toDecimal } from '../../platform/money.ts';
import { fetchImage, prepareImage, type MediaStore } from './media.ts';
import type { Post } from './posts.ts';
import { PostProblem } from './publishers/publisher.ts';

export interface PostMedia {
  urls: string[];
  files: string[];
}

export class MediaLibrary {
  constructor(
    private readonly db: pg.Pool,
    readonly store: MediaStore,
  ) {}

  /** The post's prepared images (made now if they were not), with URLs the platforms can fetch. */
  async ensure(post: Post): Promise<PostMedia> {
    const sources = post.sourceImageUrls.slice(0, post.format === 'carousel' ? 10 : 1);
    if (!sources.length)
      throw new PostProblem('the post has no image: add one or choose a product with a photo');
    const crop = post.format === 'story' ? 'story' : 'feed';
    const { rows } = await this.db.query<{ id: string; position: number; file_name: string }>(
      'select id, position, file_name from social_media where post_id = $1 order by position',
      [post.id],
    );
    const urls: string[] = [];
    const files: string[] = [];
    for (const [position, source] of sources.entries()) {
      let row = rows.find((r) => r.position === position);
      if (!row || !existsSync(row.file_name)) row = await this.prepare(post, position, source, crop);
      urls.push(await this.store.signedUrl(row.id));
      files.push(row.file_name);
    }
    return { urls, files };
  }

  private async prepare(post: Post, position: number, source: string, crop: 'feed' | 'story') {
    const text =
      crop === 'story'
        ? {
            title: post.facts.title ?? '',
            price:
              post.facts.priceMinor !== undefined && post.facts.currency
                ? `${toDecimal(post.facts.priceMinor, post.facts.currency)} ${post.facts.currency}`
                : undefined,
          }
        : undefined;
    const image = await prepareImage(await fetchImage(source), crop, text);
    const { rows } = await this.db.query<{ id: string }>(
      `insert into social_media (post_id, position, source_url, crop, file_name, width, height, bytes)
       values ($1, $2, $3, $4, '', $5, $6, $7)
       on conflict (post_id, position) do update set source_url = excluded.source_url, crop = excluded.crop,
         width = excluded.width, height = excluded.height, bytes = excluded.bytes
       returning id`,
      [post.id, position, source, crop, image.width, image.height, image.jpeg.length],
    );
    const id = rows[0]!.id;
    const file = await this.store.save(id, image.jpeg);
    await this.db.query('update social_media set file_name = $2 where id = $1', [id, file]);
    return { id, position, file_name: file };
  }

  /** Forgets a post's prepared images (their facts changed): they are made again when next needed. */
  async forget(postId: string): Promise<void> {
    const { rows } = await this.db.query<{ file_name: string }>(
      'delete from social_media where post_id = $1 returning file_name',
      [postId],
    );
    await Promise.all(rows.map((row) => rm(row.file_name, { force: true })));
  }

  /** The file behind a media id, for the public media route. */
  async fileOf(id: string): Promise<string | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const { rows } = await this.db.query<{ file_name: string }>(
      'select file_name from social_media where id = $1',
      [id],
    );
    const file = rows[0]?.file_name;
    return file && existsSync(file) ? file : undefined;
  }
}

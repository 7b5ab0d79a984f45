// Images for the platforms: the product's photo fetched, cropped to 4:5 for the feed or set on a 9:16
// story card with its name and price inside the safe zone (clear of the app's bars at the top and the
// reply box at the bottom), sRGB JPEG under Instagram's 8 MB, kept under the data directory and served
// at signed URLs that expire, for the platforms to pull. The image library loads only while preparing.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { escapeHtml } from '../../platform/dashboard/html.ts';
import { PostProblem } from './publishers/publisher.ts';

export type Crop = 'feed' | 'story';

export const SIZES: Record<Crop, { width: number; height: number }> = {
  feed: { width: 1080, height: 1350 },
  story: { width: 1080, height: 1920 },
};
/** The story's safe zone: the top 250 px and the bottom 340 px are covered by the app. */
const STORY_SAFE = { top: 250, bottom: 340 };
const MAX_BYTES = 8 * 1024 * 1024;
const MAX_SOURCE_BYTES = 30 * 1024 * 1024;

export interface StoryText {
  title: string;
  /** "£18.50" */
  price?: string | undefined;
}

export interface PreparedImage {
  jpeg: Buffer;
  width: number;
  height: number;
}

/** Fetches an image the shop's catalog names, refusing what is not an image or too large. */
export async function fetchImage(url: string, timeoutMs = 20_000): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (error) {
    throw new PostProblem(`the image ${url} could not be fetched: ${(error as Error).message}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new PostProblem(`the image ${url} could not be fetched: the server answered ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_SOURCE_BYTES) {
    await response.body?.cancel();
    throw new PostProblem(`the image ${url} is larger than 30 MB`);
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > MAX_SOURCE_BYTES) throw new PostProblem(`the image ${url} is larger than 30 MB`);
  return bytes;
}

/** Crops (feed) or lays out (story) one image; a file that is not an image is a PostProblem. */
export async function prepareImage(source: Buffer, crop: Crop, text?: StoryText): Promise<PreparedImage> {
  const { default: sharp } = await import('sharp');
  const { width, height } = SIZES[crop];
  try {
    let image;
    if (crop === 'feed') {
      image = sharp(source, { failOn: 'error' })
        .rotate()
        .resize(width, height, { fit: 'cover', position: 'attention' });
    } else {
      const inner = height - STORY_SAFE.top - STORY_SAFE.bottom - 360;
      const product = await sharp(source, { failOn: 'error' })
        .rotate()
        .resize(width - 160, inner, { fit: 'contain', background: '#f6efe9' })
        .toBuffer();
      image = sharp({ create: { width, height, channels: 3, background: '#f6efe9' } }).composite([
        { input: product, top: STORY_SAFE.top + 40, left: 80 },
        { input: Buffer.from(storyText(text, width, STORY_SAFE.top + 40 + inner)), top: 0, left: 0 },
      ]);
    }
    for (const quality of [85, 75, 60]) {
      const jpeg = await image.toColourspace('srgb').jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer();
      if (jpeg.length <= MAX_BYTES) return { jpeg, width, height };
    }
  } catch (error) {
    if (error instanceof PostProblem) throw error;
    throw new PostProblem(`the image could not be prepared: ${(error as Error).message.split('\n')[0]}`);
  }
  throw new PostProblem('the image stays above 8 MB even at low quality');
}

/** The story card's words, as SVG, below the photo and above the reply box. */
function storyText(text: StoryText | undefined, width: number, top: number): string {
  const title = escapeHtml((text?.title ?? '').slice(0, 40));
  const price = text?.price ? escapeHtml(text.price) : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + 300}">
    <text x="${width / 2}" y="${top + 110}" font-family="sans-serif" font-size="64" font-weight="700" fill="#2b2118" text-anchor="middle">${title}</text>
    <text x="${width / 2}" y="${top + 210}" font-family="sans-serif" font-size="72" fill="#8a3b12" text-anchor="middle">${price}</text>
  </svg>`;
}

/** Where prepared images live, and the signed URLs they are served at. */
export class MediaStore {
  constructor(
    private readonly dir: string,
    private readonly key: () => Promise<Buffer>,
    private readonly publicUrl: () => string,
    private readonly now: () => Date,
  ) {}

  file(id: string): string {
    return path.join(this.dir, `${id}.jpg`);
  }

  async save(id: string, jpeg: Buffer): Promise<string> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.file(id);
    await writeFile(file, jpeg, { mode: 0o600 });
    return file;
  }

  /** A URL the platforms can fetch for `hours`, and nobody after. */
  async signedUrl(id: string, hours = 48): Promise<string> {
    const expires = Math.floor(this.now().getTime() / 1000) + hours * 3600;
    const signature = await this.sign(id, expires);
    return `${this.publicUrl()}/media/social/${id}.jpg?expires=${expires}&signature=${signature}`;
  }

  /** Whether a request's signature is ours and still in time (compared in constant time). */
  async verify(id: string, expires: number, signature: string): Promise<boolean> {
    if (!Number.isInteger(expires) || expires < this.now().getTime() / 1000) return false;
    const expected = Buffer.from(await this.sign(id, expires));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private async sign(id: string, expires: number): Promise<string> {
    return createHmac('sha256', await this.key())
      .update(`${id}.${expires}`)
      .digest('base64url');
  }
}

/** A new signing key, for the vault. */
export const newMediaKey = () => randomBytes(32).toString('base64');

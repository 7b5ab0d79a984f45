// The sandbox shop's product photos, served where Shopify's CDN would serve them, so the social module
// has real JPEGs to crop and post: a bottle in the product's own colour on a plain ground, made once
// per file on first request (the image library loads only then). Undefined for a path that is not one.
import { createHash } from 'node:crypto';

const made = new Map<string, Buffer>();

export async function productPhoto(path: string): Promise<Buffer | undefined> {
  if (!/^[\w/.-]+\.jpg$/.test(path) || path.includes('..')) return undefined;
  let jpeg = made.get(path);
  if (!jpeg) {
    const { default: sharp } = await import('sharp');
    const hue = createHash('sha256').update(path).digest().readUInt16BE(0) % 360;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="1200">
      <rect width="1200" height="1200" fill="hsl(${hue}, 30%, 92%)"/>
      <rect x="480" y="260" width="240" height="120" rx="20" fill="hsl(${hue}, 25%, 30%)"/>
      <rect x="400" y="360" width="400" height="640" rx="60" fill="hsl(${hue}, 55%, 55%)"/>
      <rect x="450" y="560" width="300" height="200" rx="16" fill="hsl(${hue}, 30%, 96%)"/>
    </svg>`;
    jpeg = await sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
    made.set(path, jpeg);
  }
  return jpeg;
}

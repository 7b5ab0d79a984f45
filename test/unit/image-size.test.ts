// Image sizes come from the headers alone, for each format receipts and social posts accept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { imageSize } from '../../src/platform/media/image-size.ts';

test('PNG: the size in IHDR', () => {
  const png = readFileSync(path.resolve(import.meta.dirname, '../fixtures/receipt.png'));
  const size = imageSize(png);
  assert.ok(size);
  assert.equal(size.width, png.readUInt32BE(16));
  assert.ok(size.width > 100 && size.height > 100);
});

test('JPEG: the size in the frame header, after other segments and fill bytes', () => {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x06, 0x4a, 0x46, 0x49, 0x46]);
  const sof2 = Buffer.from([0xff, 0xff, 0xc2, 0x00, 0x11, 0x08, 0x0b, 0xb8, 0x0f, 0xa0, 0x03]);
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof2, Buffer.alloc(20)]);
  assert.deepEqual(imageSize(jpeg), { width: 4000, height: 3000 });
  // The huffman table marker (C4) is not a frame: it is skipped by its length.
  const dht = Buffer.from([0xff, 0xc4, 0x00, 0x04, 0x00, 0x00]);
  const withTable = Buffer.concat([Buffer.from([0xff, 0xd8]), dht, sof2.subarray(1), Buffer.alloc(4)]);
  assert.deepEqual(imageSize(withTable), { width: 4000, height: 3000 });
  assert.equal(imageSize(Buffer.from([0xff, 0xd8, 0xff, 0xd9])), undefined);
});

test('WebP: lossy, lossless and extended headers', () => {
  const riff = (chunk: string, body: Buffer) =>
    Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBP', 'latin1'), Buffer.from(chunk, 'latin1'), body]);
  const lossy = Buffer.alloc(14);
  lossy.writeUInt16LE(640, 10);
  lossy.writeUInt16LE(480, 12);
  assert.deepEqual(imageSize(riff('VP8 ', lossy)), { width: 640, height: 480 });
  const lossless = Buffer.alloc(14);
  lossless[4] = 0x2f;
  lossless.writeUInt32LE(639 | (479 << 14), 5);
  assert.deepEqual(imageSize(riff('VP8L', lossless)), { width: 640, height: 480 });
  const extended = Buffer.alloc(14);
  extended.writeUIntLE(19_999, 8, 3);
  extended.writeUIntLE(19_999, 11, 3);
  assert.deepEqual(imageSize(riff('VP8X', extended)), { width: 20_000, height: 20_000 });
});

test('anything else has no size', () => {
  assert.equal(imageSize(Buffer.from('GIF89a')), undefined);
  assert.equal(imageSize(Buffer.alloc(0)), undefined);
});

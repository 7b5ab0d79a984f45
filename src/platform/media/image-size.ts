// An image's width and height from its header, without decoding it: a 1 MB file can claim 20000 ×
// 20000 pixels and take a gigabyte to decode, so the size is checked before anything decodes it.
// Formats as their specifications lay out the header: PNG (IHDR, the first chunk), JPEG (the SOFn
// frame header), WebP (the VP8, VP8L or VP8X chunk).

export interface ImageSize {
  width: number;
  height: number;
}

/** Beyond any phone camera (a 48-megapixel photo is 8000 × 6000); decoding takes ~4 bytes a pixel. */
export const MAX_PIXELS = 50_000_000;

export function imageSize(file: Buffer): ImageSize | undefined {
  if (file.length >= 24 && file.readUInt32BE(0) === 0x89504e47 && file.toString('latin1', 12, 16) === 'IHDR')
    return { width: file.readUInt32BE(16), height: file.readUInt32BE(20) };
  if (file.length >= 4 && file[0] === 0xff && file[1] === 0xd8) return jpegSize(file);
  if (
    file.length >= 30 &&
    file.toString('latin1', 0, 4) === 'RIFF' &&
    file.toString('latin1', 8, 12) === 'WEBP'
  )
    return webpSize(file);
  return undefined;
}

/** Start-of-frame markers carry the size; the others (DHT C4, JPG C8, DAC CC) do not. */
const FRAME_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpegSize(file: Buffer): ImageSize | undefined {
  let at = 2;
  while (at + 4 <= file.length) {
    if (file[at] !== 0xff) return undefined;
    const marker = file[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    // Markers without a length: TEM and the restart markers; the end of image means no frame was found.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9) return undefined;
    const length = file.readUInt16BE(at + 2);
    if (FRAME_MARKERS.has(marker)) {
      if (at + 9 > file.length) return undefined;
      return { height: file.readUInt16BE(at + 5), width: file.readUInt16BE(at + 7) };
    }
    at += 2 + length;
  }
  return undefined;
}

function webpSize(file: Buffer): ImageSize | undefined {
  const chunk = file.toString('latin1', 12, 16);
  if (chunk === 'VP8 ')
    return { width: file.readUInt16LE(26) & 0x3fff, height: file.readUInt16LE(28) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = file.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: file.readUIntLE(24, 3) + 1, height: file.readUIntLE(27, 3) + 1 };
  return undefined;
}

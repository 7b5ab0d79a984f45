// Reading the text of a receipt photo offline: tesseract.js with the English data installed from npm
// (@tesseract.js-data/eng), nothing downloaded at run time. The engine (about 150 MB while it works)
// is loaded for a receipt and let go after it, so an idle shopkeep does not carry it.
import { createRequire } from 'node:module';

export interface TextReader {
  read(image: Buffer): Promise<string>;
}

export class TesseractReader implements TextReader {
  async read(image: Buffer): Promise<string> {
    const { createWorker } = await import('tesseract.js');
    const eng = createRequire(import.meta.url)('@tesseract.js-data/eng') as {
      langPath: string;
      gzip: boolean;
    };
    const worker = await createWorker('eng', 1, {
      langPath: eng.langPath,
      gzip: eng.gzip,
      cacheMethod: 'none',
      logger: () => undefined,
      errorHandler: () => undefined,
    });
    try {
      const { data } = await worker.recognize(image);
      return data.text;
    } finally {
      await worker.terminate();
    }
  }
}

/** The image formats a receipt photo comes in, told by their first bytes (not by what the upload claims). */
export function imageType(bytes: Buffer): 'image/png' | 'image/jpeg' | 'image/webp' | undefined {
  if (
    bytes.length > 8 &&
    bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  )
    return 'image/png';
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (
    bytes.length > 12 &&
    bytes.toString('ascii', 0, 4) === 'RIFF' &&
    bytes.toString('ascii', 8, 12) === 'WEBP'
  )
    return 'image/webp';
  return undefined;
}

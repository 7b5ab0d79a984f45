// Reading the text of a receipt offline. A photo: tesseract.js with the English data installed from
// npm (@tesseract.js-data/eng), nothing downloaded at run time; the engine (about 150 MB while it
// works) is loaded for a receipt and let go after it, so an idle shopkeep does not carry it. A PDF
// (an emailed invoice): its own text, read with pdf.js (unpdf), line by line as printed. A scanned
// PDF has no text to read; the owner is asked for a photo instead.
import { createRequire } from 'node:module';
import { invalid } from '../../platform/errors.ts';
import { MAX_PIXELS, imageSize } from '../../platform/media/image-size.ts';

export type ReceiptType = 'image/png' | 'image/jpeg' | 'image/webp' | 'application/pdf';

export interface TextReader {
  read(file: Buffer, type: ReceiptType): Promise<string>;
}

export class ReceiptReader implements TextReader {
  async read(file: Buffer, type: ReceiptType): Promise<string> {
    return type === 'application/pdf' ? pdfText(file) : photoText(file);
  }
}

/** Refuses a photo whose header claims more pixels than is safe to decode, before anything decodes it. */
export function checkPixels(image: Buffer): void {
  const size = imageSize(image);
  if (!size) throw invalid('the photo’s size cannot be read from its header: is the file damaged?');
  if (size.width * size.height > MAX_PIXELS)
    throw invalid(
      `the photo is ${size.width} × ${size.height} pixels, more than the ${MAX_PIXELS / 1_000_000} megapixels shopkeep reads: take it again at a lower resolution`,
    );
}

async function photoText(image: Buffer): Promise<string> {
  checkPixels(image);
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

/** The text of a PDF's first pages, a line per printed line (pieces at the same height, left to right). */
export async function pdfText(file: Buffer, maxPages = 3): Promise<string> {
  const { getDocumentProxy } = await import('unpdf');
  const pdf = await getDocumentProxy(new Uint8Array(file));
  try {
    const pages: string[] = [];
    for (let number = 1; number <= Math.min(pdf.numPages, maxPages); number += 1) {
      const content = await (await pdf.getPage(number)).getTextContent();
      const lines = new Map<number, { x: number; text: string }[]>();
      for (const item of content.items) {
        if (!('str' in item) || !item.str.trim()) continue;
        const y = Math.round(item.transform[5] as number);
        const line = lines.get(y) ?? [];
        line.push({ x: item.transform[4] as number, text: item.str });
        lines.set(y, line);
      }
      pages.push(
        [...lines.entries()]
          .sort(([a], [b]) => b - a)
          .map(([, pieces]) =>
            pieces
              .sort((a, b) => a.x - b.x)
              .map((piece) => piece.text)
              .join(' '),
          )
          .join('\n'),
      );
    }
    return pages.join('\n');
  } finally {
    await pdf.destroy();
  }
}

/** What an upload is, told by its first bytes (not by what the upload claims). */
export function receiptType(bytes: Buffer): ReceiptType | undefined {
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
  if (bytes.length > 8 && bytes.toString('ascii', 0, 5) === '%PDF-') return 'application/pdf';
  return undefined;
}

// Terminal helpers: progress lines on stderr, secrets read from stdin without echo.
import { stdin, stderr } from 'node:process';

export function progress(step: string): void {
  stderr.write(`  … ${step}\n`);
}

/** Reads one value: piped stdin as is (first line), or typed at a prompt without echo. */
export async function readSecret(prompt: string): Promise<string> {
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  let value = '';
  return new Promise((resolve, reject) => {
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          stdin.off('data', onData);
          stdin.setRawMode(false);
          stdin.pause();
          stderr.write('\n');
          resolve(value);
          return;
        }
        if (char === '\u0003') {
          stdin.setRawMode(false);
          reject(new Error('cancelled'));
          return;
        }
        if (char === '\u007f') value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on('data', onData);
  });
}

/**
 * A progress line for a long step: redrawn in place on a terminal, one line per step (and every
 * few seconds) when the output is a log.
 */
export function progressBar(): { update(step: string, done: number, total?: number): void; end(): void } {
  let lastStep = '';
  let lastWrite = 0;
  const tty = stderr.isTTY;
  return {
    update(step, done, total) {
      const now = Date.now();
      const changed = step !== lastStep;
      if (!changed && now - lastWrite < (tty ? 100 : 5000)) return;
      let text = `  … ${step}: ${done.toLocaleString('en-GB')}`;
      if (total) {
        const width = 24;
        const filled = Math.min(width, Math.round((done / total) * width));
        text = `  … ${step} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done.toLocaleString('en-GB')}/${total.toLocaleString('en-GB')}`;
      }
      if (tty) stderr.write(`${changed && lastStep ? '\n' : '\r'}${text}\u001b[K`);
      else stderr.write(`${text}\n`);
      lastStep = step;
      lastWrite = now;
    },
    end() {
      if (tty && lastStep) stderr.write('\n');
    },
  };
}

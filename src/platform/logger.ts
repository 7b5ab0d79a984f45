import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths that may carry a secret; pino replaces them before a line is written. */
const redact = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.totp',
  '*.token',
  '*.secret',
  '*.apiKey',
  '*.masterKey',
];

export function createLogger(
  level: string,
  destination: pino.DestinationStream = pino.destination(1),
): Logger {
  return pino(
    {
      level,
      base: { service: 'shopkeep' },
      redact: { paths: redact, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

import pino, { type Logger } from 'pino';

/** Structured JSON logs; secrets are redacted wherever they appear under these keys. */
export function createLogger(level: string, name = 'threadline'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['password', '*.password', '*.*.password', 'secretKey', 'mongodbUri', 'authorization', '*.authorization', 'token', '*.token'],
      censor: '[redacted]',
    },
  });
}

import pino, { type DestinationStream, type Logger } from 'pino';

const SECRET_PATHS = ['password', '*.password', '*.*.password', 'secretKey', 'mongodbUri', 'authorization', '*.authorization', 'token', '*.token'];

/** Keys that hold what customers wrote; never logged, at the top level or one level down. */
const CONTENT_KEYS = ['subject', 'body', 'text', 'html', 'snippet'];

/*
 * Email addresses with a dotted domain, wherever they appear: in an error message from a mail server
 * or the database (a rejected recipient, a duplicate key), a stack, a field's value. `admin@localhost`,
 * the generated first admin of a development install, is kept on purpose.
 */
// The look-behind starts a match only at the start of a run of such characters: linear on hostile input.
const ADDRESS = /(?<![\p{L}\p{N}.!#$%&'*+/=?^_`{|}~-])[\p{L}\p{N}.!#$%&'*+/=?^_`{|}~-]+@(?:[\p{L}\p{N}-]+\.)+\p{L}{2,}/gu;
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

/** What stands in for an address in the logs. */
export const REDACTED_ADDRESS = '[address]';

/** A log line with every address inside its JSON strings (keys, values, message) replaced. */
export function scrubAddresses(line: string): string {
  if (!line.includes('@')) return line;
  return line.replace(JSON_STRING, (literal) => {
    if (!literal.includes('@')) return literal;
    const value = JSON.parse(literal) as string;
    const scrubbed = value.replace(ADDRESS, REDACTED_ADDRESS);
    return scrubbed === value ? literal : JSON.stringify(scrubbed);
  });
}

/**
 * Structured JSON logs without personal data of customers: secrets and what customers wrote are
 * redacted under the keys that hold them, and email addresses are replaced anywhere in a line. Log
 * ids (ticket, message, contact), never names, addresses, subjects or bodies.
 */
export function createLogger(level: string, name = 'threadline', destination?: DestinationStream): Logger {
  const options = {
    name,
    level,
    redact: {
      paths: [...SECRET_PATHS, ...CONTENT_KEYS.flatMap((k) => [k, `*.${k}`])],
      censor: '[redacted]',
    },
    hooks: { streamWrite: scrubAddresses },
  };
  return destination ? pino(options, destination) : pino(options);
}

import Handlebars from 'handlebars';
import { clockName, formatDateTime, humaniseDuration } from './email-format.js';

/** Threadline's own Handlebars instance: our helpers only, no `log` (it would print to the console). */
export const hb = Handlebars.create();
hb.unregisterHelper('log');

/**
 * Prototype access stays off, and saying so explicitly also keeps Handlebars from logging a
 * warning when a template asks for `constructor` or `__proto__`.
 */
export const RUNTIME_OPTIONS: Handlebars.RuntimeOptions = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
  allowCallsToHelperMissing: false,
};

const PARAGRAPH_STYLE = 'margin:0 0 12px 0;';

/** Escaped text as `<p>` per blank-line-separated block, `<br>` per line break (HTML templates). */
function paragraphs(text: unknown): Handlebars.SafeString {
  if (typeof text !== 'string' || text.trim() === '') return new hb.SafeString('');
  const html = text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split(/\n[ \t]*\n+/)
    .map((block) => `<p style="${PARAGRAPH_STYLE}">${block.split('\n').map((line) => hb.escapeExpression(line)).join('<br>')}</p>`)
    .join('\n');
  return new hb.SafeString(html);
}

/** Each line prefixed with `> ` (plain-text templates). */
function quote(text: unknown): string {
  if (typeof text !== 'string') return '';
  return text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split('\n')
    .map((line) => (line === '' ? '>' : `> ${line}`))
    .join('\n');
}

hb.registerHelper({
  paragraphs,
  quote,
  datetime: (value: unknown, zone: unknown) => formatDateTime(value, typeof zone === 'string' ? zone : 'UTC'),
  duration: (seconds: unknown) => humaniseDuration(seconds),
  clockName: (clock: unknown) => clockName(clock),
});

/** The helpers an inbox's own subject/template may call. */
const OVERRIDE_HELPERS = new Set(['if', 'unless', 'each', 'with', 'lookup', 'datetime', 'duration', 'clockName']);
const MAX_OVERRIDE_LENGTH = 100_000;

interface AstNode {
  type: string;
  loc?: { start: { line: number } };
  path?: { type: string; original?: unknown };
  params?: unknown[];
  hash?: unknown;
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** The first thing an override may not do, as a message, or null. */
function findForbidden(node: unknown): string | null {
  if (Array.isArray(node)) {
    for (const child of node) {
      const problem = findForbidden(child);
      if (problem) return problem;
    }
    return null;
  }
  if (typeof node !== 'object' || node === null) return null;
  if (isNode(node)) {
    const line = node.loc ? ` on line ${node.loc.start.line}` : '';
    if (/^(Partial|Decorator)/.test(node.type)) return `partials and decorators are not supported${line}`;
    const callsHelper = (node.params?.length ?? 0) > 0 || node.hash !== undefined;
    if (/^(MustacheStatement|BlockStatement|SubExpression)$/.test(node.type) && callsHelper) {
      const name = node.path?.type === 'PathExpression' ? String(node.path.original) : '(expression)';
      if (!OVERRIDE_HELPERS.has(name)) return `unknown helper "${name}"${line}`;
    }
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'loc') continue;
    const problem = findForbidden(value);
    if (problem) return problem;
  }
  return null;
}

const TOKEN_PROBLEMS: Record<string, string> = {
  INVALID: 'a malformed {{…}} tag',
  OPEN_ENDBLOCK: 'a closing {{/…}} without its opening block',
  CLOSE: 'an unexpected }}',
};

/** Handlebars' multi-line parse error, shortened to one line that says where and what. */
function describeParseError(message: string): string {
  const mismatch = /^(\S+) doesn't match (\S+) - (\d+):/.exec(message);
  if (mismatch) return `{{#${mismatch[1]}}} is closed by {{/${mismatch[2]}}} on line ${mismatch[3]}`;
  const where = /Parse error on line (\d+)/.exec(message);
  if (!where) return message.split('\n')[0] ?? message;
  const got = /got '([A-Z_]+)'/.exec(message)?.[1] ?? '';
  const snippet = message.split('\n')[1]?.trim();
  let what = TOKEN_PROBLEMS[got] ?? `unexpected ${got || 'input'}`;
  if (got === 'EOF') what = /OPEN_ENDBLOCK/.test(message) ? 'a block is not closed (missing {{/…}})' : 'the template ends inside a {{…}} tag';
  return `syntax error on line ${where[1]}${snippet ? ` near "${snippet}"` : ''}: ${what}`;
}

/**
 * Checks an inbox's own subject or auto-reply text before it is saved: the reason it cannot be
 * used (syntax error, unknown helper, partial, too long), or null when it is fine.
 */
export function validateTemplateOverride(source: string): string | null {
  if (source.length > MAX_OVERRIDE_LENGTH) return `template is longer than ${MAX_OVERRIDE_LENGTH} characters`;
  let ast: unknown;
  try {
    ast = hb.parse(source);
  } catch (err) {
    return describeParseError(err instanceof Error ? err.message : String(err));
  }
  const forbidden = findForbidden(ast);
  if (forbidden) return forbidden;
  try {
    // Catches what parses but cannot run, e.g. `{{#if}}` without an argument.
    hb.compile(source, { noEscape: true })({}, RUNTIME_OPTIONS);
  } catch (err) {
    return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'template cannot be rendered';
  }
  return null;
}

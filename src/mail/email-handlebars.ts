import Handlebars from 'handlebars';
import type { Translator } from '../i18n/catalog.js';
import { formatsFor } from '../i18n/formats.js';
import { clockName, formatDateTime, humaniseDuration, mailTranslator } from './email-format.js';

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

/** The language and time zone of one render, which the helpers read from Handlebars' data frame (`@mail`). */
export interface MailRenderContext {
  tr: Translator;
  timeZone: string;
}

/** The runtime options of a render in `ctx`'s language and zone. */
export function runtimeOptionsFor(ctx: MailRenderContext): Handlebars.RuntimeOptions {
  return { ...RUNTIME_OPTIONS, data: { mail: ctx } };
}

let english: MailRenderContext | undefined;
/** The render's language and zone; English and UTC when rendered without them (a stand-alone override check). */
function contextOf(options: unknown): MailRenderContext {
  const found = (options as { data?: { mail?: MailRenderContext } } | undefined)?.data?.mail;
  if (found) return found;
  english ??= { tr: mailTranslator('en'), timeZone: 'UTC' };
  return english;
}

/** A helper's arguments without Handlebars' trailing options object. */
function split(args: unknown[]): { params: unknown[]; ctx: MailRenderContext } {
  return { params: args.slice(0, -1), ctx: contextOf(args.at(-1)) };
}

hb.registerHelper({
  paragraphs,
  quote,
  // {{datetime sentAt}}: in the render's zone; {{datetime dueAt "Europe/Paris"}}: in that one.
  datetime: (...args: unknown[]) => {
    const { params, ctx } = split(args);
    const zone = typeof params[1] === 'string' && params[1] !== '' ? params[1] : ctx.timeZone;
    return formatDateTime(params[0], zone, ctx.tr);
  },
  duration: (...args: unknown[]) => {
    const { params, ctx } = split(args);
    return humaniseDuration(params[0], ctx.tr);
  },
  clockName: (...args: unknown[]) => {
    const { params, ctx } = split(args);
    return clockName(params[0], ctx.tr);
  },
  // {{t "mail:autoReply.intro" number=ticketNumber}}: a message in the recipient's language, hash values as ICU parameters.
  t: (key: unknown, options: Handlebars.HelperOptions) => contextOf(options).tr.t(String(key), { ...(options.hash as Record<string, unknown>) }),
  // {{formatNumber n}}: grouped the way the recipient's language groups digits (not `number`: tickets have a `number`).
  formatNumber: (value: unknown, options: Handlebars.HelperOptions) => {
    const ctx = contextOf(options);
    return typeof value === 'number' && Number.isFinite(value) ? formatsFor(ctx.tr.formatLocale, ctx.timeZone).number(value) : '';
  },
  // {{upper (t "mail:digest.backlog")}}: the headings of plain-text mail.
  upper: (value: unknown, options: Handlebars.HelperOptions) => String(value ?? '').toLocaleUpperCase(contextOf(options).tr.formatLocale),
});

/** How much one render of an inbox's own subject or text may cost; a template over it is refused, never run to the end. */
export const RENDER_LIMITS = {
  /** Characters of the rendered subject or text. */
  output: 50_000,
  /** Passes through `{{#each}}` bodies, summed over the whole render. */
  iterations: 10_000,
  /** Characters produced by `{{#each}}` bodies, counted again at every level of nesting. */
  blockOutput: 1_000_000,
  /** `{{#each}}` inside `{{#each}}`. */
  eachDepth: 3,
  /** Blocks of any kind inside each other. */
  blockDepth: 20,
} as const;

/** A render that went over RENDER_LIMITS; its message says which limit. */
export class RenderBudgetExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderBudgetExceeded';
  }
}

interface Budget {
  iterations: number;
  blockOutput: number;
}

// Rendering is synchronous, so one budget at a time is enough; null outside a bounded render.
let budget: Budget | null = null;

const builtinEach = hb.helpers.each as (this: unknown, context: unknown, options: Handlebars.HelperOptions) => string;
hb.registerHelper('each', function boundedEach(this: unknown, context: unknown, options: Handlebars.HelperOptions) {
  const spend = budget;
  if (!spend || !options) return builtinEach.call(this, context, options);
  const body = options.fn;
  const counted = Object.assign((value: unknown, opts?: Handlebars.RuntimeOptions) => {
    if (++spend.iterations > RENDER_LIMITS.iterations) throw new RenderBudgetExceeded(`repeats {{#each}} more than ${RENDER_LIMITS.iterations.toLocaleString('en')} times`);
    const out = body(value, opts);
    spend.blockOutput += out.length;
    if (spend.blockOutput > RENDER_LIMITS.blockOutput) throw new RenderBudgetExceeded(`produces more than ${RENDER_LIMITS.blockOutput.toLocaleString('en')} characters in {{#each}} blocks`);
    return out;
  }, body);
  return builtinEach.call(this, context, { ...options, fn: counted });
});

/**
 * Runs a compiled override within RENDER_LIMITS, in the language and zone of `ctx` (English and
 * UTC without): throws RenderBudgetExceeded as soon as its `{{#each}}` blocks go over budget, or
 * when the result is longer than the output limit.
 */
export function renderBounded(template: Handlebars.TemplateDelegate, view: unknown, ctx?: MailRenderContext): string {
  if (budget) throw new Error('renderBounded does not nest');
  budget = { iterations: 0, blockOutput: 0 };
  try {
    const out = template(view, ctx ? runtimeOptionsFor(ctx) : RUNTIME_OPTIONS);
    if (out.length > RENDER_LIMITS.output) throw new RenderBudgetExceeded(`renders more than ${RENDER_LIMITS.output.toLocaleString('en')} characters`);
    return out;
  } finally {
    budget = null;
  }
}

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

interface BlockNode {
  type: string;
  loc?: { start: { line: number } };
  path?: { type: string; original?: unknown };
  params?: Array<{ type: string; original?: unknown }>;
  program?: { body: unknown[] };
  inverse?: { body: unknown[] };
}

// `@root` and `../` lead back to data an enclosing {{#each}} is already going through.
const climbsToOuterData = (param: { type: string; original?: unknown } | undefined) =>
  param?.type === 'PathExpression' && typeof param.original === 'string' && /^(@root\b|\.\.)/.test(param.original);

/** The first construct whose cost grows with the data faster than the template itself, as a message, or null. */
function findCostly(statements: unknown[], eachDepth = 0, blockDepth = 0): string | null {
  for (const node of statements) {
    if (!isNode(node) || node.type !== 'BlockStatement') continue;
    const block = node as BlockNode;
    const line = block.loc ? ` on line ${block.loc.start.line}` : '';
    const isEach = block.path?.type === 'PathExpression' && block.path.original === 'each';
    if (blockDepth + 1 > RENDER_LIMITS.blockDepth) return `blocks are nested more than ${RENDER_LIMITS.blockDepth} deep${line}`;
    if (isEach && eachDepth + 1 > RENDER_LIMITS.eachDepth) return `{{#each}} blocks are nested more than ${RENDER_LIMITS.eachDepth} deep${line}`;
    if (isEach && eachDepth > 0 && climbsToOuterData(block.params?.[0])) {
      return `{{#each ${String(block.params![0]!.original)}}}${line} is inside another {{#each}}: it would go through all the data again for every item`;
    }
    const depth = eachDepth + (isEach ? 1 : 0);
    const problem = findCostly(block.program?.body ?? [], depth, blockDepth + 1) ?? findCostly(block.inverse?.body ?? [], depth, blockDepth + 1);
    if (problem) return problem;
  }
  return null;
}

/** The longest data an override may meet: a 998-character subject (RFC 5322's line limit), long names and signature. */
const WORST_CASE_VIEW: Record<string, unknown> = {
  ticketNumber: 999_999_999,
  ticketSubject: 'W'.repeat(998),
  customerName: 'W'.repeat(300),
  timeZone: 'America/Argentina/ComodRivadavia',
  brandName: 'W'.repeat(200),
  signature: 'W\n'.repeat(1000),
  logoUrl: `https://example.com/${'w'.repeat(1000)}`,
  primaryColor: '#ffffff',
  customBody: 'W'.repeat(5000),
};

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
 * used (syntax error, unknown helper, partial, too long, too costly), or null when it is fine. A
 * template that parses is also rendered against the longest data it may meet, within RENDER_LIMITS.
 */
export function validateTemplateOverride(source: string): string | null {
  if (source.length > MAX_OVERRIDE_LENGTH) return `template is longer than ${MAX_OVERRIDE_LENGTH} characters`;
  let ast: unknown;
  try {
    ast = hb.parse(source);
  } catch (err) {
    return describeParseError(err instanceof Error ? err.message : String(err));
  }
  const forbidden = findForbidden(ast) ?? findCostly((ast as { body: unknown[] }).body);
  if (forbidden) return forbidden;
  try {
    // Catches what parses but cannot run (`{{#if}}` without an argument) and what runs too long.
    renderBounded(hb.compile(source, { noEscape: true }), WORST_CASE_VIEW);
  } catch (err) {
    if (err instanceof RenderBudgetExceeded) return `template ${err.message} with long ticket data`;
    return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'template cannot be rendered';
  }
  return null;
}

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isAppError } from '../../../src/domain/errors.js';
import type { DigestData } from '../../../src/mail/digest-data.js';
import { formatPeriod, humaniseDuration, safeColor } from '../../../src/mail/email-format.js';
import { EMAIL_SAMPLES, type EmailSample } from '../../../src/mail/email-samples.js';
import { EMAIL_TEMPLATE_NAMES, lintEmailTemplate, renderEmail, validateTemplateOverride, type EmailTemplateName } from '../../../src/mail/render-email.js';

const TEMPLATE_DIR = path.resolve(import.meta.dirname, '../../../templates/email');
const SCRIPT = '<script>alert(1)</script>';
const BREAKOUT = '"><img src=x onerror=alert(1)>';
const HTML_TAG = /<\/?(?:p|br|div|span|table|tbody|tr|td|a|strong|img|html|head|body|style|title)\b[^>]*>/i;
const DEFAULT_COLOR = '#2563eb';

function sample(id: string): EmailSample {
  const found = EMAIL_SAMPLES.find((s) => s.id === id);
  if (!found) throw new Error(`no sample ${id}`);
  return structuredClone(found);
}

const digestSample = (): DigestData => sample('digest').data as DigestData;

/** Every string in `value` (deeply) replaced by `payload`: dates, URLs and zones included. */
function poison(value: unknown, payload: string): unknown {
  if (typeof value === 'string') return payload;
  if (Array.isArray(value)) return value.map((v) => poison(v, payload));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poison(v, payload)]));
  return value;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('renderEmail: every template', () => {
  const consoleSpies: Array<ReturnType<typeof vi.spyOn>> = [];
  beforeAll(() => {
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) consoleSpies.push(vi.spyOn(console, method));
  });
  afterAll(() => vi.restoreAllMocks());

  it('compiles and renders every sample without printing anything (MJML and Handlebars stay quiet)', async () => {
    for (const s of EMAIL_SAMPLES) await renderEmail(s.template, s.data, s.opts);
    await renderEmail('auto-reply', { ticketNumber: 1, ticketSubject: 'x' }, { subject: '{{constructor}} {{__proto__}}' });
    for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled();
  });

  it.each(EMAIL_TEMPLATE_NAMES)('MJML validation of %s reports no errors', async (name) => {
    expect(await lintEmailTemplate(name)).toEqual([]);
  });

  it.each(EMAIL_SAMPLES.map((s) => [s.id, s] as const))('%s: subject, HTML and readable plain text', async (_id, s) => {
    const email = await renderEmail(s.template, s.data, s.opts);
    expect(email.subject).not.toMatch(/[\r\n]|\{\{/);
    expect(email.subject.length).toBeGreaterThan(5);
    expect(email.html).toMatch(/^<!doctype html>/i);
    expect(email.html).toContain(`<title>${email.subject.replaceAll('"', '&quot;')}</title>`);
    expect(email.html).not.toContain('{{');
    expect(email.html).not.toContain('fonts.googleapis');
    expect(email.text).not.toMatch(HTML_TAG);
    expect(email.text).not.toMatch(/&(?:lt|gt|amp|quot|#x?[0-9a-f]+);/i);
    expect(email.text).not.toContain('{{');
    expect(email.text).not.toMatch(/\n{3,}/);
  });

  it('auto-reply: greeting, subject with the ticket token, signature', async () => {
    const email = await renderEmail('auto-reply', { ticketNumber: 1234, ticketSubject: 'Invoice charged twice', customerName: 'Maria' }, { branding: { brandName: 'Acme', signature: 'Kind regards,\nAcme team' } });
    expect(email.subject).toBe('We received your request: Invoice charged twice [#1234]');
    expect(email.html).toContain('Hi Maria,');
    expect(email.html).toContain('opened ticket #1234');
    expect(email.html).toContain('Kind regards,<br>Acme team');
    expect(email.text).toContain('Hi Maria,\n\nThanks for getting in touch.');
    expect(email.text).toContain('\n-- \nKind regards,\nAcme team\n');
  });

  it('agent-reply: body as escaped paragraphs, quoted history, Re: once', async () => {
    const s = sample('agent-reply');
    const email = await renderEmail('agent-reply', { ...s.data, ticketSubject: 'Re: Invoice', body: 'Line one\nline <two>\n\nNext paragraph' }, s.opts);
    expect(email.subject).toBe('Re: Invoice [#1234]');
    expect(email.html).toContain('Line one<br>line &lt;two&gt;</p>');
    expect(email.html).toContain('>Next paragraph</p>');
    expect(email.html).toContain('On Mar 2, 2026, 9:12 AM, Maria Lopez &lt;maria@example.com&gt; wrote:');
    expect(email.text).toContain('Line one\nline <two>\n\nNext paragraph');
    expect(email.text).toContain('> my card shows two charges');
    const noHistory = await renderEmail('agent-reply', { ...s.data, history: null }, s.opts);
    expect(noHistory.html).not.toContain('Earlier in this conversation');
    expect(noHistory.text).not.toContain('wrote:');
  });

  it('sla-reminder: what breaches when, in the given time zone, with a link', async () => {
    const s = sample('sla-reminder');
    const email = await renderEmail('sla-reminder', s.data, s.opts);
    expect(email.subject).toBe('Ticket #123 will breach first response in 15 min');
    expect(email.html).toContain('Mar 3, 2026, 2:30 PM (Europe/Berlin)');
    expect(email.html).toContain('href="https://desk.acme.example/tickets/65f1c0de0000000000000123"');
    expect(email.text).toContain('Open the ticket: https://desk.acme.example/tickets/65f1c0de0000000000000123');
    const hostileLink = await renderEmail('sla-reminder', { ...s.data, ticketUrl: 'javascript:alert(1)' }, s.opts);
    expect(hostileLink.html).not.toMatch(/javascript:|Open ticket/);
  });

  it('escalation: level, reason and SLA', async () => {
    const s = sample('escalation');
    const email = await renderEmail('escalation', s.data, s.opts);
    expect(email.subject).toBe('Escalation level 2: ticket #118 Checkout returns error 500');
    expect(email.html).toContain('Escalation level 2 (Team leads): ticket #118');
    expect(email.html).toContain('First response is 45 minutes overdue.<br>Level 1');
    expect(email.text).toContain('SLA: first response, breached Mar 3, 2026, 1:00 PM (Europe/Berlin)');
  });

  it('an unknown template is an AppError', async () => {
    const err = await rejection(renderEmail('newsletter' as EmailTemplateName, {}));
    expect(isAppError(err, 'TEMPLATE_INVALID')).toBe(true);
    expect((err as Error).message).toContain('"newsletter"');
  });
});

describe('renderEmail: escaping', () => {
  it.each([SCRIPT, BREAKOUT, `{{brandName}}${SCRIPT}`])('data %s is escaped in every template and never evaluated', async (payload) => {
    for (const s of EMAIL_SAMPLES) {
      const email = await renderEmail(s.template, poison(s.data, payload) as Record<string, unknown>, s.opts);
      expect(email.html).not.toMatch(/<script|<img src=x|onerror=/i);
      if (s.template !== 'digest' || !s.id.includes('empty')) expect(email.html).toContain('&lt;');
      // Subject and text are plain text: the characters stay, nothing in them is markup.
      expect(email.subject).not.toMatch(/[\r\n]/);
      if (s.id === 'auto-reply') {
        expect(email.subject).toContain(payload);
        expect(email.text).toContain(payload);
        expect(email.html).toContain(`<title>We received your request: ${Handlebars.escapeExpression(payload)} [#1234]</title>`);
      }
    }
  });

  it('branding is escaped too, and a hostile colour or logo URL is dropped', async () => {
    const email = await renderEmail('auto-reply', { ticketNumber: 7, ticketSubject: 'Hi' }, {
      branding: { brandName: SCRIPT, signature: BREAKOUT, primaryColor: 'red;background:url(javascript:alert(1))', logoUrl: 'javascript:alert(1)' },
    });
    expect(email.html).not.toMatch(/<script|<img|onerror=|javascript:|url\(/i);
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).toContain(DEFAULT_COLOR);
  });

  it('multi-line text becomes escaped paragraphs with line breaks', async () => {
    const email = await renderEmail('agent-reply', { ticketNumber: 1, ticketSubject: 's', agentName: 'A', body: `a & b\r\n${SCRIPT}\n\n\n${BREAKOUT}` });
    expect(email.html).toContain('<p style="margin:0 0 12px 0;">a &amp; b<br>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(email.html).toContain('<p style="margin:0 0 12px 0;">&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;</p>');
  });
});

describe('renderEmail: branding', () => {
  it('applies a #rrggbb or #rgb primary colour', async () => {
    const orange = await renderEmail('sla-reminder', sample('sla-reminder').data, { branding: { primaryColor: '#FF6600' } });
    expect(orange.html).toContain('bgcolor="#ff6600"');
    expect(orange.html).toContain('background:#ff6600');
    expect(orange.html).not.toContain(DEFAULT_COLOR);
    const short = await renderEmail('auto-reply', { ticketNumber: 1, ticketSubject: 's' }, { branding: { primaryColor: '#0a8' } });
    expect(short.html).toContain('bgcolor="#00aa88"');
  });

  it.each(['red', 'rgb(255,0,0)', '#12345', '#ff660', '#ff6600; color:red', 'expression(alert(1))', '</style><script>', ''])(
    'ignores the colour %j and keeps the default',
    async (primaryColor) => {
      const email = await renderEmail('auto-reply', { ticketNumber: 1, ticketSubject: 's' }, { branding: { primaryColor } });
      expect(email.html).toContain(`bgcolor="${DEFAULT_COLOR}"`);
      if (primaryColor) expect(email.html).not.toContain(primaryColor);
    },
  );

  it('picks dark header text on a light brand colour', async () => {
    const email = await renderEmail('auto-reply', { ticketNumber: 1, ticketSubject: 's' }, { branding: { primaryColor: '#fde047', brandName: 'Sunny' } });
    expect(email.html).toMatch(/color:#111827;"\s*>Sunny</);
  });

  it('shows a logo only from an http(s) URL', async () => {
    const email = await renderEmail('auto-reply', { ticketNumber: 1, ticketSubject: 's' }, { branding: { logoUrl: 'https://acme.example/logo.png', brandName: 'Acme' } });
    expect(email.html).toMatch(/<img[^>]+alt="Acme" src="https:\/\/acme\.example\/logo\.png"/);
  });

  it('safeColor accepts only #rgb and #rrggbb', () => {
    expect(safeColor('#ABC')).toBe('#aabbcc');
    expect(safeColor(' #a1b2c3 ')).toBe('#a1b2c3');
    expect(safeColor('#a1b2c3ff')).toBeNull();
    expect(safeColor(null)).toBeNull();
  });
});

describe('renderEmail: per-inbox overrides', () => {
  const data = { ticketNumber: 55, ticketSubject: 'Broken login', customerName: 'Jo' };

  it('renders the subject override with the template variables and keeps the ticket token', async () => {
    const email = await renderEmail('auto-reply', data, { subject: '[Acme] {{ticketSubject}} (for {{customerName}})' });
    expect(email.subject).toBe('[Acme] Broken login (for Jo) [#55]');
  });

  it('renders the auto-reply text override as escaped text inside the standard layout', async () => {
    const email = await renderEmail('auto-reply', { ...data, customerName: SCRIPT }, {
      branding: { brandName: 'Acme', signature: 'Acme team' },
      template: 'Dear {{customerName}},\nyour ticket is #{{ticketNumber}}.\n\n{{brandName}} answers within a day.',
    });
    expect(email.html).toContain('Dear &lt;script&gt;alert(1)&lt;/script&gt;,<br>your ticket is #55.</p>');
    expect(email.html).toContain('Acme answers within a day.');
    expect(email.html).not.toContain('Thanks for getting in touch');
    expect(email.html).toContain('Acme team');
    expect(email.text).toMatch(/^Dear <script>alert\(1\)<\/script>,\nyour ticket is #55\.\n\nAcme answers within a day\.\n\n-- \nAcme team\n$/);
  });

  it.each([
    ['subject', 'Hello {{customerName'],
    ['template', 'Hi {{#if customerName}}{{customerName}}'],
    ['template', '{{> secrets}}'],
    ['subject', '{{shout customerName}}'],
  ] as const)('rejects a broken %s override %j with VALIDATION_FAILED', async (field, source) => {
    const err = await rejection(renderEmail('auto-reply', data, { [field]: source }));
    expect(isAppError(err, 'VALIDATION_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(new RegExp(`^The (subject|auto-reply) template is invalid: .+`));
  });

  it('a body override is only for the auto-reply', async () => {
    const err = await rejection(renderEmail('digest', digestSample(), { template: 'x' }));
    expect(isAppError(err, 'TEMPLATE_INVALID')).toBe(true);
  });

  it('validateTemplateOverride says what is wrong, or null', () => {
    expect(validateTemplateOverride('Hi {{customerName}}, #{{ticketNumber}} {{#if x}}y{{else}}z{{/if}}')).toBeNull();
    expect(validateTemplateOverride('Due {{datetime dueAt "Europe/Berlin"}} in {{duration 90}}')).toBeNull();
    expect(validateTemplateOverride('Hello\n{{customerName')).toBe('syntax error on line 2 near "Hello{{customerName": a malformed {{…}} tag');
    expect(validateTemplateOverride('Hi {{#if customerName}}yes')).toMatch(/^syntax error on line 1 near ".*if customerName}}yes": a block is not closed \(missing \{\{\/…\}\}\)$/);
    expect(validateTemplateOverride('x {{/if}}')).toMatch(/: a closing \{\{\/…\}\} without its opening block$/);
    expect(validateTemplateOverride('{{#if a}}x{{/each}}')).toBe('{{#if}} is closed by {{/each}} on line 1');
    expect(validateTemplateOverride('a {{> footer}}')).toBe('partials and decorators are not supported on line 1');
    expect(validateTemplateOverride('a\n{{shout name}}')).toBe('unknown helper "shout" on line 2');
    expect(validateTemplateOverride('{{log "x"}}')).toBe('unknown helper "log" on line 1');
    expect(validateTemplateOverride('{{#if}}x{{/if}}')).toMatch(/#if requires exactly one argument/);
    expect(validateTemplateOverride('x'.repeat(100_001))).toMatch(/longer than/);
  });
});

describe('renderEmail: digest', () => {
  const withBacklog = (counts: number[]): DigestData => ({
    ...digestSample(),
    backlogByAge: counts.map((count, i) => ({ label: `bucket ${i}`, count })),
  });

  /** Per backlog row: the coloured cell's width (null when there is none) and the blank cell's. */
  function bars(html: string): Array<{ bar: number | null; rest: number | null }> {
    return [...html.matchAll(/<tr class="backlog-row">([\s\S]*?)<\/tr>\s*<\/table>/g)].map((m) => {
      const row = m[1] ?? '';
      const bar = /class="bar" width="(\d+)%"/.exec(row);
      const rest = /class="bar-rest" width="(\d+)%"/.exec(row);
      return { bar: bar ? Number(bar[1]) : null, rest: rest ? Number(rest[1]) : null };
    });
  }

  it('draws the backlog as table cells proportional to the counts, number beside', async () => {
    const email = await renderEmail('digest', withBacklog([10, 5, 0]));
    expect(bars(email.html)).toEqual([
      { bar: 100, rest: null },
      { bar: 50, rest: 50 },
      { bar: null, rest: 100 },
    ]);
    expect(email.html).toMatch(/class="bar" width="50%" height="14" bgcolor="#2563eb" style="width:50%;/);
    expect(email.html).toMatch(/>bucket 1<\/td>[\s\S]*?>5<\/td>/);
    expect(email.text).toContain('bucket 0  #################### 10\n  bucket 1  ########## 5\n  bucket 2   0');
  });

  it('keeps a small non-zero bucket visible and copes with all zeros', async () => {
    expect(bars((await renderEmail('digest', withBacklog([1000, 1]))).html).map((b) => b.bar)).toEqual([100, 1]);
    expect(bars((await renderEmail('digest', withBacklog([0, 0]))).html).map((b) => b.bar)).toEqual([null, null]);
  });

  it('humanises durations and formats dates in the manager time zone', async () => {
    const data = { ...digestSample(), timeZone: 'America/New_York', medianFirstResponseSeconds: 8100, medianResolutionSeconds: null };
    const email = await renderEmail('digest', data);
    expect(email.html).toContain('>2 h 15 min</td>');
    expect(email.html).toContain('>n/a</td>');
    expect(email.html).toContain('first response · breached Mar 3, 2026, 7:00 AM');
    expect(email.html).toContain('times in America/New_York');
    expect(email.text).toContain('Median first response: 2 h 15 min\nMedian resolution: n/a');
    expect(email.subject).toBe('Helpdesk digest for Mar 1 – 8, 2026');
  });

  it('links tickets only under an http(s) base URL', async () => {
    const linked = await renderEmail('digest', digestSample());
    expect(linked.html).toContain('<a href="https://desk.acme.example/tickets/65f1c0de0000000000000118">#118</a>');
    for (const ticketUrlBase of [null, 'javascript:alert(1)']) {
      const email = await renderEmail('digest', { ...digestSample(), ticketUrlBase });
      expect(email.html).not.toMatch(/href="[^"]*tickets|javascript:/);
      expect(email.html).toContain('>#118</td>');
    }
  });

  it('shows the sections with "None." when a list is empty', async () => {
    const email = await renderEmail('digest', { ...digestSample(), breaches: [], perAgent: [] });
    expect(email.html).toMatch(/SLA breaches[\s\S]*?None\./);
    expect(email.text).toContain('SLA BREACHES\n  None.');
    expect(email.text).toContain('No agent activity.');
  });

  it('says an empty period in one line instead of empty tables', async () => {
    const s = sample('digest-empty');
    const email = await renderEmail('digest', s.data);
    const line = 'Nothing to report for Mar 2 – 8, 2026: no new, solved or reopened tickets and no open backlog.';
    expect(email.text).toBe(`${line}\n`);
    expect(email.html).toContain(line);
    expect(email.html).not.toMatch(/backlog-row|SLA breaches|Median|<table[^>]*>\s*<tr class/);
    const signed = await renderEmail('digest', s.data, { branding: { signature: 'Threadline bot' } });
    expect(signed.text).toBe(`${line}\n\n-- \nThreadline bot\n`);
  });
});

describe('email formatting', () => {
  it.each([
    [0, '0 s'],
    [59, '59 s'],
    [60, '1 min'],
    [899, '15 min'],
    [7200, '2 h'],
    [8100, '2 h 15 min'],
    [86_400, '1 d'],
    [100_800, '1 d 4 h'],
    [null, 'n/a'],
    [-5, 'n/a'],
  ])('humaniseDuration(%j) = %j', (seconds, text) => {
    expect(humaniseDuration(seconds)).toBe(text);
  });

  it('treats a period ending at local midnight as ending the day before', () => {
    expect(formatPeriod('2026-03-01T23:00:00Z', '2026-03-02T23:00:00Z', 'Europe/Berlin')).toBe('Mar 2, 2026');
    expect(formatPeriod('2026-03-01T23:00:00Z', '2026-03-02T23:00:00Z', 'Not/AZone')).toBe('Mar 1 – 2, 2026');
  });
});

describe('templates/email sources', () => {
  const sources = async (): Promise<Array<[string, string]>> => {
    const names = [...(await readdir(TEMPLATE_DIR)), ...(await readdir(path.join(TEMPLATE_DIR, 'partials'))).map((f) => `partials/${f}`)];
    const files = names.filter((f) => /\.(mjml|hbs)$/.test(f));
    return Promise.all(files.map(async (f) => [f, await readFile(path.join(TEMPLATE_DIR, f), 'utf8')] as [string, string]));
  };

  it('has an MJML file, a text twin and a default subject per template, the subject worded by the catalog', async () => {
    const subjects = JSON.parse(await readFile(path.join(TEMPLATE_DIR, 'subjects.json'), 'utf8')) as Record<string, string>;
    const files = await readdir(TEMPLATE_DIR);
    for (const name of EMAIL_TEMPLATE_NAMES) {
      expect(files).toContain(`${name}.mjml`);
      expect(files).toContain(`${name}.txt.hbs`);
      expect(subjects[name]).toMatch(name === 'agent-reply' ? /^\{\{replySubject\}\}$/ : /^\{\{t "mail:[\w.]+"/);
    }
  });

  it('never uses triple-stash or unescaped output', async () => {
    for (const [file, src] of await sources()) expect(`${file}: ${/\{\{\{|\{\{&/.test(src)}`).toBe(`${file}: false`);
  });

  it('puts only vetted values into URLs and CSS', async () => {
    const allowed: Array<[RegExp, Set<string>]> = [
      [/^(href)$/, new Set(['ticketUrl', 'url'])],
      [/^(src)$/, new Set(['logoUrl'])],
      [/^(style|bgcolor|width|height|color|background-color|border-color)$/, new Set(['primaryColor', 'onPrimaryColor', 'width', 'rest'])],
    ];
    const violations: string[] = [];
    let checked = 0;
    for (const [file, src] of await sources()) {
      if (!file.endsWith('.mjml')) continue;
      for (const [, attr = '', value = ''] of src.matchAll(/([a-z-]+)="([^"]*\{\{[^"]*)"/g)) {
        const vetted = allowed.find(([re]) => re.test(attr))?.[1];
        if (!vetted) continue;
        for (const [, variable = ''] of value.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)) {
          checked++;
          if (!vetted.has(variable)) violations.push(`${file}: ${attr}="{{${variable}}}"`);
        }
      }
      for (const [, css = ''] of src.matchAll(/<mj-style[^>]*>([\s\S]*?)<\/mj-style>/g)) {
        for (const [, variable = ''] of css.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)) {
          if (variable !== 'primaryColor' && variable !== 'onPrimaryColor') violations.push(`${file}: mj-style {{${variable}}}`);
        }
      }
    }
    expect(violations).toEqual([]);
    expect(checked).toBeGreaterThan(10);
  });
});

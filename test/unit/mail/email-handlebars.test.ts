import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/domain/errors.js';
import { hb, RENDER_LIMITS, renderBounded, RenderBudgetExceeded } from '../../../src/mail/email-handlebars.js';
import { renderEmail, validateTemplateOverride } from '../../../src/mail/render-email.js';

/** `{{#each @root}}` inside itself, `levels` deep: about 9× the work per level over the auto-reply data. */
const nestedRootEach = (levels: number) => `${'{{#each @root}}'.repeat(levels)}{{@key}}${'{{/each}}'.repeat(levels)}`;
const PREVIEW = { ticketNumber: 1042, ticketSubject: 'My order has not arrived', customerName: 'Robin Customer' };

const timed = async <T>(fn: () => Promise<T> | T): Promise<{ ms: number; result: PromiseSettledResult<T> }> => {
  const started = performance.now();
  const [result] = await Promise.allSettled([Promise.resolve().then(fn)]);
  return { ms: performance.now() - started, result: result! };
};

describe('auto-reply templates with nested {{#each @root}} were saved and stalled the preview', () => {
  it('refuses 12 levels of {{#each @root}} on save, naming the construct and its line', async () => {
    const { ms, result } = await timed(() => validateTemplateOverride(`Hello\n${nestedRootEach(12)}`));
    expect(result).toEqual({ status: 'fulfilled', value: expect.stringMatching(/^\{\{#each @root\}\} on line 2 is inside another \{\{#each\}\}/) });
    expect(ms).toBeLessThan(1000);
  });

  it('refuses {{#each}} blocks nested more than 3 deep, and {{#each ../…}} climbing back inside one', () => {
    expect(validateTemplateOverride('{{#each a}}{{#each b}}{{#each c}}{{#each d}}x{{/each}}{{/each}}{{/each}}{{/each}}')).toBe('{{#each}} blocks are nested more than 3 deep on line 1');
    expect(validateTemplateOverride('{{#each @root}}\n{{#each ..}}x{{/each}}{{/each}}')).toMatch(/^\{\{#each \.\.\}\} on line 2 is inside another \{\{#each\}\}/);
    expect(validateTemplateOverride(`${'{{#if a}}'.repeat(RENDER_LIMITS.blockDepth + 1)}x${'{{/if}}'.repeat(RENDER_LIMITS.blockDepth + 1)}`)).toMatch(/^blocks are nested more than 20 deep/);
    // One level over the data, or blocks that do not repeat, stay fine.
    expect(validateTemplateOverride('{{#each @root}}{{@key}} {{/each}}')).toBeNull();
    expect(validateTemplateOverride('{{#if customerName}}Hi {{customerName}}{{else}}Hello{{/if}}, #{{ticketNumber}}')).toBeNull();
  });

  it('refuses a template whose output with the longest ticket data is over the size cap', () => {
    expect(validateTemplateOverride('{{ticketSubject}} '.repeat(60))).toBe(`template renders more than ${RENDER_LIMITS.output.toLocaleString('en')} characters with long ticket data`);
    expect(validateTemplateOverride('{{ticketSubject}} '.repeat(10))).toBeNull();
  });

  it('the preview of a stored 8-level template fails fast with VALIDATION_FAILED instead of rendering for seconds', async () => {
    const { ms, result } = await timed(() => renderEmail('auto-reply', PREVIEW, { template: nestedRootEach(8) }));
    expect(result.status).toBe('rejected');
    const err = (result as PromiseRejectedResult).reason as unknown;
    expect(isAppError(err, 'VALIDATION_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(/^The auto-reply template is invalid: \{\{#each @root\}\}/);
    expect(ms).toBeLessThan(1000);
  });
});

describe('renderBounded: rendering at send time has a budget', () => {
  it('stops a render that repeats {{#each}} too often, whatever the static checks let through', async () => {
    const template = hb.compile('{{#each items}}{{#each ../items}}{{#each ../../items}}x{{/each}}{{/each}}{{/each}}', { noEscape: true });
    const { ms, result } = await timed(() => renderBounded(template, { items: Array.from({ length: 200 }, (_, i) => i) }));
    expect(result.status).toBe('rejected');
    expect((result as PromiseRejectedResult).reason).toBeInstanceOf(RenderBudgetExceeded);
    expect(String((result as PromiseRejectedResult).reason)).toMatch(/more than 10,000 times/);
    expect(ms).toBeLessThan(1000);
  });

  it('stops a render whose {{#each}} output grows too large, and one whose result is too long', () => {
    const wide = hb.compile('{{#each items}}{{../big}}{{/each}}', { noEscape: true });
    expect(() => renderBounded(wide, { items: Array.from({ length: 100 }), big: 'b'.repeat(20_000) })).toThrow(/more than 1,000,000 characters in \{\{#each\}\} blocks/);
    const long = hb.compile('{{big}}{{big}}{{big}}', { noEscape: true });
    expect(() => renderBounded(long, { big: 'b'.repeat(20_000) })).toThrow(/renders more than 50,000 characters/);
  });

  it('leaves {{#each}} unbounded outside a bounded render (the digest lists stay whole) and renders within budget normally', () => {
    const list = hb.compile('{{#each items}}{{this}},{{/each}}', { noEscape: true });
    const items = Array.from({ length: 20_000 }, (_, i) => i);
    expect(list({ items }).split(',').length).toBe(20_001);
    expect(renderBounded(list, { items: [1, 2, 3] })).toBe('1,2,3,');
    // The budget ends with the render: the next one starts from zero.
    expect(renderBounded(list, { items: [4] })).toBe('4,');
  });
});

describe('canned replies are not Handlebars', () => {
  it('keeps {{#each @root}} in a canned reply as text (only the listed placeholders are filled)', async () => {
    const { fillPlaceholders, unknownPlaceholders } = await import('../../../src/domain/canned-reply.js');
    const body = `${nestedRootEach(12)} for {{customer.name}}`;
    expect(unknownPlaceholders(body)).toEqual([]);
    const ctx = { customer: { name: 'Robin', email: 'r@example.test' }, ticket: { number: 1, subject: 's' }, agent: { name: null, email: 'a@example.test' } };
    expect(fillPlaceholders(body, ctx)).toBe(`${nestedRootEach(12)} for Robin`);
  });
});

import { describe, expect, it } from 'vitest';
import { fillPlaceholders, unknownPlaceholders } from '../../../src/domain/canned-reply.js';

const ctx = {
  customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
  ticket: { number: 42, subject: 'Engine trouble' },
  agent: { name: 'Grace', email: 'grace@example.com' },
};

describe('fillPlaceholders', () => {
  it('fills every known placeholder, with or without inner spaces', () => {
    const body = 'Hi {{customer.name}} <{{ customer.email }}>, re #{{ticket.number}} "{{ticket.subject}}". {{agent.name}}';
    expect(fillPlaceholders(body, ctx)).toBe('Hi Ada Lovelace <ada@example.com>, re #42 "Engine trouble". Grace');
  });

  it('falls back to the address when a customer or agent has no name', () => {
    const anonymous = { ...ctx, customer: { name: '  ', email: 'ada@example.com' }, agent: { name: null, email: 'grace@example.com' } };
    expect(fillPlaceholders('{{customer.name}} / {{agent.name}}', anonymous)).toBe('ada@example.com / grace@example.com');
  });

  it('inserts values verbatim: no markup, no replacement patterns, no second pass', () => {
    const tricky = { ...ctx, customer: { name: "$& $' <b>{{agent.name}}</b>", email: 'x@example.com' } };
    expect(fillPlaceholders('Dear {{customer.name}}', tricky)).toBe("Dear $& $' <b>{{agent.name}}</b>");
  });

  it('leaves unknown placeholders and other braces as written', () => {
    expect(fillPlaceholders('{{customer.age}} {single} {{ }} {{agent.name}}', ctx)).toBe('{{customer.age}} {single} {{ }} Grace');
  });
});

describe('unknownPlaceholders', () => {
  it('names each unknown placeholder once and accepts the known ones', () => {
    expect(unknownPlaceholders('{{customer.name}} {{ticket.number}} {{agent.name}}')).toEqual([]);
    expect(unknownPlaceholders('{{customer.nmae}} {{ customer.nmae }} {{inbox}}')).toEqual(['customer.nmae', 'inbox']);
  });
});

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ourMessageId, ticketNumberFromMessageId } from '../../../src/domain/message-ids.js';

const sign = (v: string) => createHmac('sha256', 'unit-test-secret-key-of-32-characters').update(v).digest('hex');
const otherKey = (v: string) => createHmac('sha256', 'another-deployments-secret-key-32ch').update(v).digest('hex');

describe('our signed Message-IDs', () => {
  it('name their ticket, whatever case a client folds them to', () => {
    const id = ourMessageId(4211, 'AbC123', 'help.example.test', sign);
    expect(id).toMatch(/^tl\.4211\.abc123\.[0-9a-f]{10}@help\.example\.test$/);
    expect(ticketNumberFromMessageId(id, sign)).toBe(4211);
    expect(ticketNumberFromMessageId(id.toUpperCase(), sign)).toBe(4211);
  });

  it('refuse a forged id: another ticket number, a changed unique part, or another deployment’s key', () => {
    const id = ourMessageId(4211, 'abc123', 'help.example.test', sign);
    expect(ticketNumberFromMessageId(id.replace('tl.4211.', 'tl.4212.'), sign)).toBeNull();
    expect(ticketNumberFromMessageId(id.replace('.abc123.', '.abc124.'), sign)).toBeNull();
    expect(ticketNumberFromMessageId(ourMessageId(4211, 'abc123', 'help.example.test', otherKey), sign)).toBeNull();
    expect(ticketNumberFromMessageId('tl.4211.abc123@help.example.test', sign)).toBeNull();
    expect(ticketNumberFromMessageId('jane@example.org', sign)).toBeNull();
  });
});

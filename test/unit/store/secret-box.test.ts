import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../../../src/store/secret-box.js';

const KEY = 'k'.repeat(40);

describe('secret box (AES-256-GCM)', () => {
  it('round-trips a password and never stores it in clear', () => {
    const box = createSecretBox(KEY);
    const sealed = box.seal('imap-pässword', 'inbox:1');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('imap');
    expect(box.open(sealed, 'inbox:1')).toBe('imap-pässword');
  });

  it('uses a fresh IV each time', () => {
    const box = createSecretBox(KEY);
    expect(box.seal('same', 'c')).not.toBe(box.seal('same', 'c'));
  });

  it('refuses a ciphertext moved to another record', () => {
    const box = createSecretBox(KEY);
    expect(() => box.open(box.seal('pw', 'inbox:1'), 'inbox:2')).toThrow(/cannot be decrypted/);
  });

  it('refuses a tampered ciphertext and a different SECRET_KEY', () => {
    const box = createSecretBox(KEY);
    const sealed = box.seal('pw', 'c');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => box.open(`v1:${raw.toString('base64')}`, 'c')).toThrow(expect.objectContaining({ code: 'SECRET_INVALID' }));
    expect(() => createSecretBox('z'.repeat(40)).open(sealed, 'c')).toThrow(/SECRET_KEY changed/);
    expect(() => box.open('v0:abc', 'c')).toThrow(/unknown format/);
  });
});

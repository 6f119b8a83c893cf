import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { AppError } from '../../../src/domain/errors.js';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError && err.code === 'CONFIG_INVALID') return err.message;
    throw err;
  }
  throw new Error('expected loadConfig to throw');
}

describe('TRUST_PROXY', () => {
  it('trusts no proxy by default', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
  });

  it('reads false, a hop count, and lists of addresses, CIDR ranges and range names', () => {
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8, 192.0.2.7' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.7']);
  });

  it.each(['true', 'proxy.example', '10.0.0.0/33', '10.0.0.1,', '300.1.1.1'])('refuses %s naming the key', (value) => {
    const message = messageOf(() => loadConfig({ TRUST_PROXY: value }));
    expect(message).toContain('TRUST_PROXY (trustProxy):');
    expect(message).toContain(`got "${value}"`);
  });
});

import { describe, expect, it } from 'vitest';
import { accountChangeRefusal, isActiveAdmin, passwordLinkExpiry, PASSWORD_LINK_TTL_MS } from '../../../src/domain/user-rules.js';

const admin = { role: 'admin', disabled: false } as const;
const disabledAdmin = { role: 'admin', disabled: true } as const;
const manager = { role: 'manager', disabled: false } as const;
const agent = { role: 'agent', disabled: false } as const;

describe('isActiveAdmin', () => {
  it('counts only admins who are not disabled', () => {
    expect(isActiveAdmin(admin)).toBe(true);
    expect(isActiveAdmin(disabledAdmin)).toBe(false);
    expect(isActiveAdmin(manager)).toBe(false);
  });
});

describe('accountChangeRefusal', () => {
  it('refuses demoting or disabling the last active admin, even by someone else', () => {
    expect(accountChangeRefusal({ before: admin, after: agent, activeAdmins: 1, self: false })).toBe('last-admin');
    expect(accountChangeRefusal({ before: admin, after: disabledAdmin, activeAdmins: 1, self: true })).toBe('last-admin');
  });

  it('refuses an admin demoting or disabling themself while other admins exist', () => {
    expect(accountChangeRefusal({ before: admin, after: manager, activeAdmins: 3, self: true })).toBe('self');
    expect(accountChangeRefusal({ before: admin, after: disabledAdmin, activeAdmins: 2, self: true })).toBe('self');
  });

  it('lets another admin demote or disable an admin when one stays', () => {
    expect(accountChangeRefusal({ before: admin, after: agent, activeAdmins: 2, self: false })).toBeNull();
    expect(accountChangeRefusal({ before: admin, after: disabledAdmin, activeAdmins: 2, self: false })).toBeNull();
  });

  it('never refuses changes that do not take admin rights away', () => {
    expect(accountChangeRefusal({ before: admin, after: admin, activeAdmins: 1, self: true })).toBeNull();
    expect(accountChangeRefusal({ before: agent, after: admin, activeAdmins: 1, self: false })).toBeNull();
    expect(accountChangeRefusal({ before: manager, after: { role: 'manager', disabled: true }, activeAdmins: 1, self: false })).toBeNull();
    // Re-enabling a disabled admin, or changing a disabled admin's role, loses nothing.
    expect(accountChangeRefusal({ before: disabledAdmin, after: admin, activeAdmins: 1, self: false })).toBeNull();
    expect(accountChangeRefusal({ before: disabledAdmin, after: { role: 'agent', disabled: true }, activeAdmins: 1, self: false })).toBeNull();
  });
});

describe('passwordLinkExpiry', () => {
  it('is 72 hours after issue', () => {
    const now = new Date('2026-03-01T10:00:00Z');
    expect(PASSWORD_LINK_TTL_MS).toBe(72 * 3600_000);
    expect(passwordLinkExpiry(now).toISOString()).toBe('2026-03-04T10:00:00.000Z');
  });
});

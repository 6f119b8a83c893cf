import { describe, expect, it } from 'vitest';
import {
  extraAuthorizationParams,
  flowRefusal,
  grantIsGone,
  issuerAllowed,
  missingScopes,
  needsRefresh,
  oauthErrorKey,
  providerEndpoints,
  providerErrorText,
  providerScopes,
  providerSettingsIssues,
  redirectUri,
  tokenExpiry,
} from '../../../src/domain/oauth.js';

const at = new Date('2026-03-01T12:00:00Z');
const later = (ms: number) => new Date(at.getTime() + ms);

describe('providers', () => {
  it('Microsoft: Entra v2 endpoints of the tenant (organizations by default), the mail scopes and offline_access', () => {
    expect(providerEndpoints({ provider: 'microsoft', clientId: 'c', tenant: 'contoso.onmicrosoft.com' })).toEqual({
      kind: 'fixed',
      issuer: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0',
      authorizationEndpoint: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize',
      tokenEndpoint: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
    });
    expect(providerEndpoints({ provider: 'microsoft', clientId: 'c', tenant: '  ' })).toMatchObject({ issuer: 'https://login.microsoftonline.com/organizations/v2.0' });
    expect(providerScopes({ provider: 'microsoft', clientId: 'c', scopes: ['ignored'] })).toEqual(['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send', 'offline_access']);
    expect(extraAuthorizationParams('microsoft', providerScopes({ provider: 'microsoft', clientId: 'c' }))).toEqual({});
  });

  it('Google: its fixed endpoints, full mail access, and offline access with consent for a refresh token', () => {
    expect(providerEndpoints({ provider: 'google', clientId: 'c' })).toMatchObject({ tokenEndpoint: 'https://oauth2.googleapis.com/token' });
    expect(providerScopes({ provider: 'google', clientId: 'c' })).toEqual(['https://mail.google.com/']);
    expect(extraAuthorizationParams('google', ['https://mail.google.com/'])).toEqual({ access_type: 'offline', prompt: 'consent' });
  });

  it('generic: discovery from the issuer, the admin’s scopes (offline_access by default, with prompt=consent)', () => {
    expect(providerEndpoints({ provider: 'generic', clientId: 'c', issuer: 'https://id.example.com' })).toEqual({ kind: 'discovery', issuer: 'https://id.example.com' });
    expect(providerScopes({ provider: 'generic', clientId: 'c', scopes: [] })).toEqual(['offline_access']);
    expect(providerScopes({ provider: 'generic', clientId: 'c', scopes: ['mail', 'offline_access'] })).toEqual(['mail', 'offline_access']);
    expect(extraAuthorizationParams('generic', ['mail', 'offline_access'])).toEqual({ prompt: 'consent' });
    expect(extraAuthorizationParams('generic', ['mail'])).toEqual({});
  });

  it('checks the settings an admin entered', () => {
    expect(providerSettingsIssues({ provider: 'microsoft', clientId: 'c', tenant: 'contoso.com' })).toEqual([]);
    expect(providerSettingsIssues({ provider: 'yahoo', clientId: ' ' }).map((i) => i.path)).toEqual(['provider', 'clientId']);
    expect(providerSettingsIssues({ provider: 'microsoft', clientId: 'c', tenant: '../evil' }).map((i) => i.key)).toEqual(['oauth.issue.tenant']);
    expect(providerSettingsIssues({ provider: 'generic', clientId: 'c', issuer: 'http://id.example.com' }).map((i) => i.path)).toEqual(['issuer']);
  });

  it('accepts HTTPS issuers, and plain HTTP only on loopback', () => {
    expect(issuerAllowed('https://id.example.com/realms/mail')).toBe(true);
    expect(issuerAllowed('http://127.0.0.1:8080')).toBe(true);
    expect(issuerAllowed('http://localhost:8080')).toBe(true);
    expect(issuerAllowed('http://id.example.com')).toBe(false);
    expect(issuerAllowed('https://id.example.com/?x=1')).toBe(false);
    expect(issuerAllowed('https://user:pw@id.example.com')).toBe(false);
    expect(issuerAllowed('not a url')).toBe(false);
  });

  it('builds the redirect URI on PUBLIC_URL', () => {
    expect(redirectUri('https://help.example.com/')).toBe('https://help.example.com/settings/inboxes/oauth/callback');
    expect(redirectUri('https://example.com/helpdesk')).toBe('https://example.com/helpdesk/settings/inboxes/oauth/callback');
  });
});

describe('the connect flow', () => {
  const flow = { sessionId: 's1', expiresAt: later(10 * 60_000) };
  it('finishes only in the session that started it, before it expires', () => {
    expect(flowRefusal(flow, 's1', later(60_000))).toBeNull();
    expect(flowRefusal(flow, 's2', later(60_000))).toBe('other-session');
    expect(flowRefusal(flow, 's1', later(10 * 60_000))).toBe('expired');
    expect(flowRefusal(null, 's1', at)).toBe('unknown');
    // Started by the operator on the command line: any admin's session.
    expect(flowRefusal({ ...flow, sessionId: null }, 's9', later(1000))).toBeNull();
  });

  it('names the requested mail scopes the provider did not grant', () => {
    const asked = ['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send', 'offline_access'];
    expect(missingScopes(asked, 'https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send')).toEqual([]);
    expect(missingScopes(asked, 'https://outlook.office.com/imap.accessasuser.all')).toEqual(['https://outlook.office.com/SMTP.Send']);
    // No scope in the answer: granted as asked (RFC 6749 §5.1).
    expect(missingScopes(asked, null)).toEqual([]);
  });
});

describe('tokens', () => {
  it('refreshes ahead of expiry, and at once when the expiry is unknown', () => {
    expect(needsRefresh(later(10 * 60_000), at)).toBe(false);
    expect(needsRefresh(later(4 * 60_000), at)).toBe(true);
    // Never less than the minute the port promises, whatever the margin.
    expect(needsRefresh(later(50_000), at, 0)).toBe(true);
    expect(needsRefresh(later(90_000), at, 0)).toBe(false);
    expect(needsRefresh(null, at)).toBe(true);
  });

  it('dates the expiry from expires_in (an hour when the provider does not say)', () => {
    expect(tokenExpiry(at, 3599)).toEqual(later(3599_000));
    expect(tokenExpiry(at, undefined)).toEqual(later(3600_000));
    expect(tokenExpiry(at, -5)).toEqual(later(3600_000));
  });

  it('tells a lost grant from a passing failure', () => {
    expect(grantIsGone('invalid_grant')).toBe(true);
    expect(grantIsGone('invalid_client')).toBe(true);
    expect(grantIsGone('server_error')).toBe(false);
    expect(grantIsGone('temporarily_unavailable')).toBe(false);
    expect(grantIsGone(null)).toBe(false);
  });

  it('words known errors from the catalog and shows the provider’s text tidily', () => {
    expect(oauthErrorKey('invalid_grant')).toBe('invalid_grant');
    expect(oauthErrorKey('AADSTS50173')).toBe('other');
    expect(providerErrorText('AADSTS700082: The refresh token has expired\r\nTrace ID: 1')).toBe('AADSTS700082: The refresh token has expired Trace ID: 1');
    expect(providerErrorText('x'.repeat(400))).toHaveLength(300);
    expect(providerErrorText('  ')).toBeNull();
  });
});

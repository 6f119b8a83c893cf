import type { Request, Response } from 'express';

/** Parses a Cookie header into name → value; malformed pairs are skipped, first occurrence wins. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!out.has(name)) {
      try {
        out.set(name, decodeURIComponent(value));
      } catch {
        // A value that is not valid percent-encoding is not one of ours.
      }
    }
  }
  return out;
}

/**
 * Whether cookies must be Secure for this request: when Threadline's public URL is https, or the
 * request itself came over TLS (directly or through a trusted proxy).
 */
export function wantsSecureCookies(req: Request, publicUrl: string | null): boolean {
  return Boolean(publicUrl?.startsWith('https:')) || req.secure;
}

export interface CookieOptions {
  secure: boolean;
  maxAgeSeconds?: number;
}

/** Sets an HttpOnly, SameSite=Lax, Path=/ cookie (Secure when asked); maxAge 0 deletes it. */
export function setCookie(res: Response, name: string, value: string, opts: CookieOptions): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (opts.secure) parts.push('Secure');
  if (opts.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`);
  res.append('Set-Cookie', parts.join('; '));
}

/**
 * The session cookie's name. Over https it carries the `__Host-` prefix, which browsers accept only
 * with Secure, Path=/ and no Domain, so a sibling subdomain cannot plant or shadow it.
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-tl_session' : 'tl_session';
}

/** The login form's CSRF cookie (double submit: there is no session yet to hold a token). */
export function loginCsrfCookieName(secure: boolean): string {
  return secure ? '__Host-tl_login_csrf' : 'tl_login_csrf';
}

/** The session token a request's cookie carries (under the cookie name for its scheme), if any. */
export function sessionTokenOf(req: Request, publicUrl: string | null): string | undefined {
  return parseCookies(req.get('cookie')).get(sessionCookieName(wantsSecureCookies(req, publicUrl)));
}

import type { RequestHandler } from 'express';

/**
 * Headers for every HTML page. Scripts and styles come only from our own files (the ticket page's
 * presence script, the keyboard shortcuts, the stylesheet): no inline code, no eval; scripts talk only to us; customer
 * mail is framed only from our own body route.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "frame-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The headers of a customer mail body, which only our own pages frame. Its CSP allows no scripts,
 * inline styles only, and images only from `data:` and the signed inline-image path
 * (`inlineImages`: an absolute URL prefix, or `'self'`). With `remoteImages` (the agent asked to
 * load them) it adds `http:` and `https:` images and nothing else. `sandbox` puts even a sanitizer
 * miss into an opaque origin without our cookies.
 */
export function mailBodyHeaders(opts: { inlineImages: string; remoteImages: boolean }): Record<string, string> {
  const img = ['data:', opts.inlineImages, ...(opts.remoteImages ? ['https:', 'http:'] : [])].join(' ');
  return {
    'Content-Security-Policy': `default-src 'none'; img-src ${img}; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox`,
    'X-Frame-Options': 'SAMEORIGIN',
    'Referrer-Policy': 'no-referrer',
  };
}

/** Sets the headers of every page; the mail body route then overrides a few with {@link mailBodyHeaders}. */
export function pageHeaders(csp: string = PAGE_CSP): RequestHandler {
  return (_req, res, next) => {
    res.set({
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
      'X-Frame-Options': csp === PAGE_CSP ? 'DENY' : 'SAMEORIGIN',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    });
    next();
  };
}

/** HSTS for 180 days, subdomains included: sent on every response once the public URL is https. */
export const HSTS = 'max-age=15552000; includeSubDomains';

/** Sets {@link HSTS}; browsers heed it only over https, where the public URL already sends them. */
export const strictTransportSecurity: RequestHandler = (_req, res, next) => {
  res.set('Strict-Transport-Security', HSTS);
  next();
};

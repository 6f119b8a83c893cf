import type { RequestHandler } from 'express';

/**
 * Headers for every HTML page. The pages run no script at all, so the CSP allows none; styles come
 * only from our stylesheet; customer mail is framed only from our own body route.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "frame-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The CSP of a customer mail body: no scripts, no remote loads (tracking pixels stay dark), inline
 * styles only, sandboxed so even a sanitizer miss runs in an opaque origin without our cookies.
 */
export const MAIL_BODY_CSP = "default-src 'none'; img-src cid: data:; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox";

/** Sets the page headers; pass {@link MAIL_BODY_CSP} for the mail body route, which our own pages frame. */
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

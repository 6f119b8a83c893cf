import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';

// The keyboard shortcuts of every signed-in page, named by its content hash like the stylesheet.
const SCRIPT = readFileSync(path.resolve(import.meta.dirname, '../../../templates/web/shortcuts.js'), 'utf8');

/** The version in the URL the layout loads the script from (`/static/shortcuts.js?v=…`): changes bust caches. */
export const SHORTCUTS_SCRIPT_VERSION = createHash('sha256').update(SCRIPT).digest('hex').slice(0, 12);

/** `GET /static/shortcuts.js`: cached for a year when asked for by its current version. */
export const shortcutsScript: RequestHandler = (req, res) => {
  const current = req.query.v === SHORTCUTS_SCRIPT_VERSION;
  res.set({ 'X-Content-Type-Options': 'nosniff', 'Cache-Control': current ? 'public, max-age=31536000, immutable' : 'no-cache' });
  res.type('text/javascript').send(SCRIPT);
};

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Request, RequestHandler, Response } from 'express';

const WEB_DIR = path.resolve(import.meta.dirname, '../../../templates/web');
/** The built browser bundles (`npm run build:assets`), committed so that running Threadline needs no bundler. */
const ASSETS_DIR = path.join(WEB_DIR, 'assets');

interface StaticFile {
  body: string;
  version: string;
}

/** Every script of a folder, read once at start, each named by the hash of its contents. */
function scriptsIn(dir: string): ReadonlyMap<string, StaticFile> {
  return new Map(
    readdirSync(dir)
      .filter((name) => name.endsWith('.js'))
      .map((name) => [name, versioned(readFileSync(path.join(dir, name), 'utf8'))] as const),
  );
}

/** A file's body with the short hash its URLs carry (`?v=`), so it can be cached for a year and still change. */
export function versioned(body: string): StaticFile {
  return { body, version: createHash('sha256').update(body).digest('hex').slice(0, 12) };
}

/** The hand-written page scripts (templates/web/*.js) and the built bundles (templates/web/assets/*.js). */
const PAGE_SCRIPTS = scriptsIn(WEB_DIR);
const ASSETS = scriptsIn(ASSETS_DIR);

function urlOf(files: ReadonlyMap<string, StaticFile>, prefix: string, name: string, hint: string): string {
  const file = files.get(name);
  if (!file) throw new Error(`No script ${name}${hint}`);
  return `${prefix}${name}?v=${file.version}`;
}

/** The URL a page loads a built asset from (`/static/assets/editor.js?v=…`): it changes with the file. Throws for an unknown name. */
export function assetUrl(name: string): string {
  return urlOf(ASSETS, '/static/assets/', name, ': run npm run build:assets');
}

/** The URL a page loads one of its hand-written scripts from (`/static/drafts.js?v=…`). Throws for an unknown name. */
export function scriptUrl(name: string): string {
  return urlOf(PAGE_SCRIPTS, '/static/', name, ' in templates/web');
}

/** Sends a static file: cached for a year when asked for by its current version, revalidated otherwise. */
export function sendVersioned(req: Request, res: Response, file: StaticFile, type: string): void {
  const current = req.query.v === file.version;
  res.set({ 'X-Content-Type-Options': 'nosniff', 'Cache-Control': current ? 'public, max-age=31536000, immutable' : 'no-cache' });
  res.type(type).send(file.body);
}

function serveFrom(files: ReadonlyMap<string, StaticFile>): RequestHandler {
  return (req, res, next) => {
    const file = files.get(String(req.params.name));
    if (!file) return next();
    sendVersioned(req, res, file, 'text/javascript');
  };
}

/** `GET /static/assets/:name`: a built script; 404 for anything else. */
export const assetScript = serveFrom(ASSETS);

/** `GET /static/:name`: a hand-written page script (login.js, ticket.js, drafts.js, …); 404 for anything else. */
export const pageScript = serveFrom(PAGE_SCRIPTS);

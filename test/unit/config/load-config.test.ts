import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_DIR, loadConfig } from '../../../src/config/load-config.js';
import { appErrorOf } from '../../helpers/app-error.js';

describe('loadConfig', () => {
  it('runs with no environment at all on the defaults from config/default.json', () => {
    const cfg = loadConfig({});
    expect(cfg).toMatchObject({ env: 'development', port: 3000, host: '127.0.0.1', mongodbUri: null, secretKey: null, admin: null, logLevel: 'info' });
  });

  it('lets environment variables override defaults, with types coerced', () => {
    const cfg = loadConfig({ PORT: '8080', HOST: '0.0.0.0', LOG_LEVEL: 'debug', MONGODB_URI: 'mongodb://db:27017/helpdesk', EMBEDDED_DB: 'false', PUBLIC_URL: 'https://help.example.com' });
    expect(cfg.port).toBe(8080);
    expect(cfg.host).toBe('0.0.0.0');
    expect(cfg.logLevel).toBe('debug');
    expect(cfg.mongodbUri).toBe('mongodb://db:27017/helpdesk');
    expect(cfg.db.embeddedFallback).toBe(false);
    expect(cfg.publicUrl).toBe('https://help.example.com');
  });

  it('names the variable and the problem for a bad value', () => {
    const err = appErrorOf(() => loadConfig({ PORT: 'eighty' }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/PORT \(port\): .*number/i);
    expect(err.message).toContain('got "eighty"');
  });

  it('reports every bad value at once', () => {
    const err = appErrorOf(() => loadConfig({ PORT: '70000', LOG_LEVEL: 'loud', PUBLIC_URL: 'ftp://x' }));
    expect(err.message).toMatch(/PORT/);
    expect(err.message).toMatch(/LOG_LEVEL/);
    expect(err.message).toMatch(/PUBLIC_URL/);
  });

  it('bounds the work one mail may cost: participants, worker threads and their time budget', () => {
    expect(loadConfig({}).mail).toMatchObject({ maxParticipantsPerMail: 50, workBudgetMs: 5000, workerThreads: 2 });
    expect(loadConfig({ MAIL_MAX_PARTICIPANTS_PER_MAIL: '20', MAIL_WORK_BUDGET_MS: '2000', MAIL_WORKER_THREADS: '4' }).mail).toMatchObject({ maxParticipantsPerMail: 20, workBudgetMs: 2000, workerThreads: 4 });
    const err = appErrorOf(() => loadConfig({ MAIL_MAX_PARTICIPANTS_PER_MAIL: '0', MAIL_WORK_BUDGET_MS: '10', MAIL_WORKER_THREADS: 'many' }));
    expect(err.message).toContain('MAIL_MAX_PARTICIPANTS_PER_MAIL (mail.maxParticipantsPerMail)');
    expect(err.message).toContain('MAIL_WORK_BUDGET_MS (mail.workBudgetMs)');
    expect(err.message).toContain('MAIL_WORKER_THREADS (mail.workerThreads)');
  });

  it('takes the instance language and time zone from DEFAULT_LOCALE and DEFAULT_TIME_ZONE, English and none by default', () => {
    expect(loadConfig({}).i18n).toEqual({ defaultLocale: 'en', defaultTimeZone: null });
    expect(loadConfig({ DEFAULT_LOCALE: 'fr', DEFAULT_TIME_ZONE: 'Europe/Paris' }).i18n).toEqual({ defaultLocale: 'fr', defaultTimeZone: 'Europe/Paris' });
    // Empty is unset: each user then gets their browser's zone.
    expect(loadConfig({ DEFAULT_TIME_ZONE: '' }).i18n.defaultTimeZone).toBeNull();
  });

  it('takes the From of notification mail from NOTIFY_FROM (none by default), and names it when it is no address', () => {
    expect(loadConfig({}).notify).toEqual({ from: null, collectMs: 10_000 });
    expect(loadConfig({ NOTIFY_FROM: 'Notifications@Help.Example.test' }).notify).toEqual({ from: 'notifications@help.example.test', collectMs: 10_000 });
    const err = appErrorOf(() => loadConfig({ NOTIFY_FROM: 'notifications at help' }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/NOTIFY_FROM \(notify\.from\): must be an email address.* \(got "notifications at help"\)/);
  });

  it('takes the collect delay of notification mail from NOTIFY_COLLECT_MS, and names it when it is no whole number of ms', () => {
    expect(loadConfig({ NOTIFY_COLLECT_MS: '500' }).notify.collectMs).toBe(500);
    const err = appErrorOf(() => loadConfig({ NOTIFY_COLLECT_MS: 'soon' }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/NOTIFY_COLLECT_MS \(notify\.collectMs\)/);
    expect(appErrorOf(() => loadConfig({ NOTIFY_COLLECT_MS: '-1' })).message).toMatch(/NOTIFY_COLLECT_MS/);
  });

  it('names DEFAULT_LOCALE and DEFAULT_TIME_ZONE when they are not a language or zone Threadline knows', () => {
    const err = appErrorOf(() => loadConfig({ DEFAULT_LOCALE: 'de', DEFAULT_TIME_ZONE: 'Europe/Atlantis' }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/DEFAULT_LOCALE \(i18n\.defaultLocale\): must be one of en, fr \(got "de"\)/);
    expect(err.message).toMatch(/DEFAULT_TIME_ZONE \(i18n\.defaultTimeZone\): must be an IANA time zone, e\.g\. Europe\/Paris, or empty \(got "Europe\/Atlantis"\)/);
  });

  it('never echoes a secret value in the error', () => {
    const err = appErrorOf(() => loadConfig({ SECRET_KEY: 'short-but-secret' }));
    expect(err.message).toMatch(/SECRET_KEY \(secretKey\): must be at least 32 characters/);
    expect(err.message).not.toContain('short-but-secret');
  });

  it('requires SECRET_KEY and MONGODB_URI in production', () => {
    const err = appErrorOf(() => loadConfig({ NODE_ENV: 'production' }));
    expect(err.message).toMatch(/SECRET_KEY \(secretKey\): is required in production/);
    expect(err.message).toMatch(/MONGODB_URI \(mongodbUri\): is required in production/);
    expect(() => loadConfig({ NODE_ENV: 'production', SECRET_KEY: 'x'.repeat(32), MONGODB_URI: 'mongodb://db/x' })).not.toThrow();
  });

  it('takes ADMIN_EMAIL and ADMIN_PASSWORD only together', () => {
    expect(appErrorOf(() => loadConfig({ ADMIN_EMAIL: 'boss@example.com' })).message).toMatch(/ADMIN_PASSWORD must be set together with ADMIN_EMAIL/);
    expect(loadConfig({ ADMIN_EMAIL: 'Boss@Example.com', ADMIN_PASSWORD: 'correct horse battery' }).admin).toEqual({ email: 'boss@example.com', password: 'correct horse battery' });
    expect(appErrorOf(() => loadConfig({ ADMIN_EMAIL: 'not-an-email', ADMIN_PASSWORD: 'correct horse battery' })).message).toMatch(/ADMIN_EMAIL/);
  });

  it('rejects a MONGODB_URI that is not a MongoDB URI', () => {
    expect(appErrorOf(() => loadConfig({ MONGODB_URI: 'postgres://x' })).message).toMatch(/MONGODB_URI \(mongodbUri\): must start with mongodb:\/\//);
  });

  it('rejects a malformed boolean by name', () => {
    expect(appErrorOf(() => loadConfig({ EMBEDDED_DB: 'maybe' })).message).toMatch(/EMBEDDED_DB must be true or false/);
  });

  it('merges config/local.json over the defaults, under the environment', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tl-config-'));
    copyFileSync(path.join(CONFIG_DIR, 'default.json'), path.join(dir, 'default.json'));
    writeFileSync(path.join(dir, 'local.json'), JSON.stringify({ port: 4000, db: { serverSelectionTimeoutMs: 2000 } }));
    const cfg = loadConfig({ HOST: '::1' }, dir);
    expect(cfg.port).toBe(4000);
    expect(cfg.host).toBe('::1');
    expect(cfg.db).toEqual({ serverSelectionTimeoutMs: 2000, embeddedFallback: true, embeddedEngine: 'lmdb' });
  });
});

import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { resolveSecretKey } from '../../../src/config/secret-key.js';
import { appErrorOf } from '../../helpers/app-error.js';

/**
 * Points in resolveSecretKey's file handling where a test steps in, as a kill or another process
 * would: `killAtWrite` ends the process when it writes the key (after the file it writes to was
 * created, before any byte of the key is in it); `afterCheck` runs right after the key file's
 * existence was checked, as a second process starting at the same moment.
 */
const at = vi.hoisted(() => ({ killAtWrite: false, afterCheck: null as null | { file: string; run: () => void } }));

class SimulatedKill extends Error {}

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  const kill = () => {
    at.killAtWrite = false;
    throw new SimulatedKill('killed');
  };
  const mocked = {
    ...real,
    existsSync: (file: fs.PathLike) => {
      const found = real.existsSync(file);
      const hook = at.afterCheck;
      if (hook && hook.file === String(file)) {
        at.afterCheck = null;
        hook.run();
      }
      return found;
    },
    writeSync: (...args: Parameters<typeof real.writeSync>) => {
      if (at.killAtWrite) kill();
      return real.writeSync(...args);
    },
    writeFileSync: (...args: Parameters<typeof real.writeFileSync>) => {
      const [file, , options] = args;
      if (at.killAtWrite && typeof file === 'string') {
        // What the kernel had done when the process died: the file is created (open with O_CREAT), nothing written.
        const opts = typeof options === 'object' && options ? options : {};
        real.closeSync(real.openSync(file, opts.flag ?? 'w', opts.mode ?? 0o666));
        kill();
      }
      return real.writeFileSync(...args);
    },
  };
  return { ...mocked, default: mocked };
});

const logger = () => ({ warn: vi.fn() }) as unknown as Logger & { warn: ReturnType<typeof vi.fn> };
const KEY_LIKE = /^[A-Za-z0-9_-]{43}$/;

let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(tmpdir(), 'tl-secret-key-'));
});
afterEach(() => {
  at.killAtWrite = false;
  at.afterCheck = null;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const config = () => loadConfig({ DATA_DIR: dataDir });
const keyFile = () => path.join(dataDir, 'secret-key');
const fileMode = (file: string) => fs.statSync(file).mode & 0o777;

describe('the generated development secret key', () => {
  it('is written in full to one file of mode 0600, with no temporary file left, and used again on the next start', () => {
    const log = logger();
    const key = resolveSecretKey(config(), log);
    expect(key).toMatch(KEY_LIKE);
    expect(fs.readdirSync(dataDir)).toEqual(['secret-key']);
    expect(fs.readFileSync(keyFile(), 'utf8')).toBe(`${key}\n`);
    expect(fileMode(keyFile())).toBe(0o600);
    expect(log.warn).toHaveBeenCalledTimes(1);

    const again = logger();
    expect(resolveSecretKey(config(), again)).toBe(key);
    expect(again.warn).not.toHaveBeenCalled();
  });

  it('regression: a start killed while writing the generated key leaves no empty key file, and the next start succeeds', () => {
    at.killAtWrite = true;
    expect(() => resolveSecretKey(config(), logger())).toThrow(SimulatedKill);
    // No key file at all, or a complete one: never an empty or partial one.
    if (fs.existsSync(keyFile())) expect(fs.readFileSync(keyFile(), 'utf8')).toMatch(/^[A-Za-z0-9_-]{43}\n$/);

    const key = resolveSecretKey(config(), logger());
    expect(key).toMatch(KEY_LIKE);
    expect(fs.readFileSync(keyFile(), 'utf8')).toBe(`${key}\n`);
    expect(fileMode(keyFile())).toBe(0o600);
    expect(fs.readdirSync(dataDir)).toEqual(['secret-key']);
  });

  it('regression: of two starts at once, the one that finds the key file already in place uses that key', () => {
    const theirs = 'k'.repeat(43);
    // The other process puts its key in place, in full, between our check and our write.
    at.afterCheck = { file: keyFile(), run: () => fs.writeFileSync(keyFile(), `${theirs}\n`, { mode: 0o600 }) };
    const log = logger();
    expect(resolveSecretKey(config(), log)).toBe(theirs);
    expect(at.afterCheck).toBeNull();
    expect(fs.readFileSync(keyFile(), 'utf8')).toBe(`${theirs}\n`);
    expect(fs.readdirSync(dataDir)).toEqual(['secret-key']);
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('replaces a stale temporary file a killed start of the same process id left, and removes it', () => {
    const stale = path.join(dataDir, `secret-key.${process.pid}.tmp`);
    fs.writeFileSync(stale, 'half-a-k', { mode: 0o600 });
    const key = resolveSecretKey(config(), logger());
    expect(key).toMatch(KEY_LIKE);
    expect(fs.readFileSync(keyFile(), 'utf8')).toBe(`${key}\n`);
    expect(fileMode(keyFile())).toBe(0o600);
    expect(fs.readdirSync(dataDir)).toEqual(['secret-key']);
  });

  it('uses a valid key file that already exists, unchanged', () => {
    const existing = 'e'.repeat(40);
    fs.writeFileSync(keyFile(), `${existing}\n`, { mode: 0o600 });
    const log = logger();
    expect(resolveSecretKey(config(), log)).toBe(existing);
    expect(fs.readFileSync(keyFile(), 'utf8')).toBe(`${existing}\n`);
    expect(fs.readdirSync(dataDir)).toEqual(['secret-key']);
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('still refuses an empty key file with CONFIG_INVALID naming the file, and leaves it alone', () => {
    fs.writeFileSync(keyFile(), '', { mode: 0o600 });
    const err = appErrorOf(() => resolveSecretKey(config(), logger()));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe(`Invalid configuration: ${keyFile()} holds a SECRET_KEY shorter than 32 characters`);
    expect(fs.readFileSync(keyFile(), 'utf8')).toBe('');
  });

  it('is not used when SECRET_KEY is set, and never generated in production', () => {
    const secret = 's'.repeat(40);
    expect(resolveSecretKey(loadConfig({ DATA_DIR: dataDir, SECRET_KEY: secret }), logger())).toBe(secret);
    const err = appErrorOf(() => resolveSecretKey(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'production', MONGODB_URI: 'mongodb://db/x' }), logger()));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });
});

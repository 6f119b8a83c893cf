import { describe, expect, it } from 'vitest';
import { archiveFilename, EXPORT_TTL_MS, emlNamer, exportExpiresAt, isDownloadable, shownState } from '../../../src/domain/personal-data-export.js';

const at = new Date('2026-03-01T10:00:00Z');

describe('personal data export rules', () => {
  it('expires seven days after it was asked for', () => {
    expect(exportExpiresAt(at).getTime() - at.getTime()).toBe(EXPORT_TTL_MS);
    expect(EXPORT_TTL_MS).toBe(7 * 24 * 3600_000);
  });

  it('is downloadable only while ready and before its expiry; shown expired past it even before the sweep', () => {
    const expiresAt = exportExpiresAt(at);
    const before = new Date(expiresAt.getTime() - 1);
    expect(isDownloadable({ state: 'ready', expiresAt }, before)).toBe(true);
    expect(isDownloadable({ state: 'ready', expiresAt }, expiresAt)).toBe(false);
    for (const state of ['queued', 'failed', 'downloaded', 'expired'] as const) expect(isDownloadable({ state, expiresAt }, before)).toBe(false);
    expect(shownState({ state: 'ready', expiresAt }, expiresAt)).toBe('expired');
    expect(shownState({ state: 'queued', expiresAt }, expiresAt)).toBe('expired');
    expect(shownState({ state: 'downloaded', expiresAt }, expiresAt)).toBe('downloaded');
    expect(shownState({ state: 'ready', expiresAt }, before)).toBe('ready');
  });

  it('numbers messages within their ticket, in the order they come', () => {
    const name = emlNamer();
    expect([name(12), name(12), name(7), name(12), name(7)]).toEqual(['messages/12-1.eml', 'messages/12-2.eml', 'messages/7-1.eml', 'messages/12-3.eml', 'messages/7-2.eml']);
  });

  it('names the archive by date and id only, with no personal data', () => {
    expect(archiveFilename(at, '64b7f0c2a1b2c3d4e5f60718')).toBe('personal-data-2026-03-01-64b7f0c2a1b2c3d4e5f60718.zip');
  });
});

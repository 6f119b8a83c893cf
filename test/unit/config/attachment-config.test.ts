import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { attachmentLimits } from '../../../src/services/attachments/upload-file.js';
import { appErrorOf } from '../../helpers/app-error.js';

describe('the attachment settings', () => {
  it('default to 10 MB a file, 25 MB a mail, 20 files, no scan and a 60 s scan timeout', () => {
    const cfg = loadConfig({});
    expect(cfg.attachments).toEqual({ maxFileMb: 10, maxMailMb: 25, maxFiles: 20, scanCommand: null, scanTimeoutSeconds: 60 });
    expect(attachmentLimits(cfg.attachments)).toEqual({ maxFileBytes: 10 * 1024 * 1024, maxMailBytes: 25 * 1024 * 1024, maxFiles: 20 });
  });

  it('come from the ATTACHMENT_ variables', () => {
    const cfg = loadConfig({ ATTACHMENT_MAX_FILE_MB: '2.5', ATTACHMENT_MAX_MAIL_MB: '5', ATTACHMENT_MAX_FILES: '3', ATTACHMENT_SCAN_COMMAND: 'clamdscan --no-summary --fdpass -', ATTACHMENT_SCAN_TIMEOUT_SECONDS: '5' });
    expect(cfg.attachments).toEqual({ maxFileMb: 2.5, maxMailMb: 5, maxFiles: 3, scanCommand: 'clamdscan --no-summary --fdpass -', scanTimeoutSeconds: 5 });
    expect(attachmentLimits(cfg.attachments).maxFileBytes).toBe(2.5 * 1024 * 1024);
  });

  it('name the variable of a bad value, and refuse a file limit above the mail limit', () => {
    expect(appErrorOf(() => loadConfig({ ATTACHMENT_MAX_FILE_MB: 'ten' })).message).toMatch(/ATTACHMENT_MAX_FILE_MB \(attachments\.maxFileMb\): .*got "ten"/);
    expect(appErrorOf(() => loadConfig({ ATTACHMENT_SCAN_TIMEOUT_SECONDS: '0' })).message).toContain('ATTACHMENT_SCAN_TIMEOUT_SECONDS (attachments.scanTimeoutSeconds)');
    expect(appErrorOf(() => loadConfig({ ATTACHMENT_MAX_FILE_MB: '30' })).message).toContain('ATTACHMENT_MAX_FILE_MB (attachments.maxFileMb): the per-file limit may not exceed the per-mail limit');
  });
});

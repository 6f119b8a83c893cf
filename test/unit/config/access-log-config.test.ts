import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { appErrorOf } from '../../helpers/app-error.js';

describe('the access log retention', () => {
  it('keeps entries 365 days by default', () => {
    expect(loadConfig({}).accessLog).toEqual({ retentionDays: 365 });
  });

  it('comes from ACCESS_LOG_RETENTION_DAYS, where 0 keeps entries forever', () => {
    expect(loadConfig({ ACCESS_LOG_RETENTION_DAYS: '90' }).accessLog).toEqual({ retentionDays: 90 });
    expect(loadConfig({ ACCESS_LOG_RETENTION_DAYS: '0' }).accessLog).toEqual({ retentionDays: 0 });
  });

  it('names the variable of a bad value', () => {
    for (const bad of ['a year', '-1', '1.5', '36501']) {
      expect(appErrorOf(() => loadConfig({ ACCESS_LOG_RETENTION_DAYS: bad })).message).toMatch(new RegExp(`ACCESS_LOG_RETENTION_DAYS \\(accessLog\\.retentionDays\\): .*got "${bad.replace('.', '\\.')}"`));
    }
  });
});

import { describe, expect, it } from 'vitest';
import { splitCommandLine } from '../../../src/mail/scan-command.js';

describe('splitCommandLine (ATTACHMENT_SCAN_COMMAND, run without a shell)', () => {
  it('splits at spaces, with quotes grouping words and a backslash escaping one character', () => {
    expect(splitCommandLine('clamdscan --no-summary --fdpass -')).toEqual(['clamdscan', '--no-summary', '--fdpass', '-']);
    expect(splitCommandLine(`  /opt/My\\ Scanner/scan  --config "/etc/scan it.conf" 'a "b"' ""  `)).toEqual(['/opt/My Scanner/scan', '--config', '/etc/scan it.conf', 'a "b"', '']);
  });

  it('reads shell syntax as plain words: no variables, pipes or substitutions', () => {
    expect(splitCommandLine('scan $HOME | rm -rf / `id`')).toEqual(['scan', '$HOME', '|', 'rm', '-rf', '/', '`id`']);
  });
});

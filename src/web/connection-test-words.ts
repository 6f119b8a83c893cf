import { CONNECTION_PROBLEMS } from '../domain/mail-account.js';
import type { Translator } from '../i18n/catalog.js';
import type { ConnectionTestResult } from '../services/inboxes/test-inbox-connection.js';

/** The fixed wordings of a failed connection test, by their English text. */
const PROBLEM_OF = new Map(Object.entries(CONNECTION_PROBLEMS).map(([problem, english]) => [english as string, problem]));

/**
 * A connection test's message in the reader's language. The checks word their results from a fixed
 * set (never the server's own text), so each is recognised and said again from the catalog; a
 * wording not recognised is shown as it came. Shared by the settings pages and the JSON API.
 */
export function checkMessage(check: ConnectionTestResult['imap'], t: Translator['t']): string {
  const { message } = check;
  const problem = PROBLEM_OF.get(message);
  if (problem) return t(`settings:inbox.test.problem.${problem}`);
  const folderMissing = /^the folder "(.*)" does not exist$/.exec(message);
  if (folderMissing) return t('settings:inbox.test.folderMissing', { folder: folderMissing[1] });
  const loggedIn = /^Logged in; folder "(.*)" holds \d+ messages? \(UIDVALIDITY (.*)\)\.$/.exec(message);
  if (loggedIn && check.messages !== undefined) return t('settings:inbox.test.loggedIn', { folder: loggedIn[1], count: check.messages, uidValidity: loggedIn[2] });
  const fixed: Record<string, string> = {
    'Connected and logged in.': 'settings:inbox.test.connected',
    'Connected (no login configured).': 'settings:inbox.test.connectedNoLogin',
    'No IMAP password is stored. Enter one.': 'settings:inbox.test.noImapPassword',
    'The stored password cannot be decrypted (SECRET_KEY changed?). Enter the password again.': 'settings:inbox.test.secretInvalid',
  };
  return Object.hasOwn(fixed, message) ? t(fixed[message]!) : message;
}

/** Why a connection test failed, account by account, in the reader's language (what a disabled inbox shows). */
export function failedTestDetail(result: ConnectionTestResult, t: Translator['t']): string {
  const failed = [[t('settings:inbox.imap'), result.imap] as const, [t('settings:inbox.smtp'), result.smtp] as const].filter(([, check]) => !check.ok);
  return failed.map(([label, check]) => t('settings:inbox.test.failedAccount', { account: label, message: checkMessage(check, t) })).join(' ');
}

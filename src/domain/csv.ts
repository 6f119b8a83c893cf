import { DateTime } from 'luxon';

/**
 * CSV as the reports export it (RFC 4180): fields separated by the reader's separator (`;` for French
 * readers, whose spreadsheets read `,` as the decimal mark; `,` otherwise), lines ended by CRLF, a
 * field quoted when it holds the separator, a quote, CR or LF (quotes doubled inside). The file starts
 * with a UTF-8 byte order mark so spreadsheets read accents right.
 *
 * - Numbers are written unformatted (`1234.5`: no grouping, `.` as decimal mark, whatever the language).
 * - Moments are ISO 8601 in the reader's time zone with its offset (`2026-12-06T09:30:00+01:00`): exact
 *   for a program, and the day a person reads is the day the report's buckets were cut in.
 * - Text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) is
 *   written with a leading `'`, so a customer's subject such as `=HYPERLINK(…)` stays text. Numbers
 *   are not text and keep their sign.
 */

/** The byte order mark a CSV file starts with. */
export const CSV_BOM = '\uFEFF';

/** A cell's value: text, a number, a moment, a yes/no, or nothing (an empty field). */
export type CsvValue = string | number | boolean | Date | null | undefined;

/** How one file is written: its separator and the zone its moments are shown in. */
export interface CsvFormat {
  separator: ',' | ';';
  timeZone: string;
}

/** The separator of a reader's language: `;` for French (its decimal mark is `,`), `,` for the others. */
export function csvSeparatorFor(locale: string): ',' | ';' {
  return locale.toLowerCase().startsWith('fr') ? ';' : ',';
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** One field as written: guarded against formulas, quoted when needed. */
export function csvField(value: CsvValue, format: CsvFormat): string {
  let text: string;
  if (value === null || value === undefined) text = '';
  else if (typeof value === 'number') text = Number.isFinite(value) ? String(value) : '';
  else if (typeof value === 'boolean') text = value ? 'true' : 'false';
  else if (value instanceof Date) text = isoIn(value, format.timeZone);
  else text = FORMULA_START.test(value) ? `'${value}` : value;
  return text.includes(format.separator) || /["\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record: its fields joined by the separator, ended by CRLF. */
export function csvLine(values: readonly CsvValue[], format: CsvFormat): string {
  return `${values.map((v) => csvField(v, format)).join(format.separator)}\r\n`;
}

/** A whole file: the byte order mark, the header line, then one line per row. */
export function csvDocument(header: readonly string[], rows: Iterable<readonly CsvValue[]>, format: CsvFormat): string {
  let out = CSV_BOM + csvLine(header, format);
  for (const row of rows) out += csvLine(row, format);
  return out;
}

/** A moment as ISO 8601 in a zone, with its offset, to the second (UTC, `Z`, for an unknown zone). */
export function isoIn(date: Date, timeZone: string): string {
  const local = DateTime.fromJSDate(date, { zone: timeZone });
  const dt = local.isValid ? local : DateTime.fromJSDate(date, { zone: 'UTC' });
  return dt.toISO({ suppressMilliseconds: true, includeOffset: true }) ?? date.toISOString();
}

import { describe, expect, it } from 'vitest';
import { CSV_BOM, csvDocument, csvField, csvLine, csvSeparatorFor, isoIn } from '../../../src/domain/csv.js';

const en = { separator: ',', timeZone: 'UTC' } as const;
const fr = { separator: ';', timeZone: 'Europe/Paris' } as const;

describe('csvField', () => {
  it('quotes a field holding the separator, a quote or a line break, doubling the quotes (RFC 4180)', () => {
    expect(csvField('plain', en)).toBe('plain');
    expect(csvField('a,b', en)).toBe('"a,b"');
    expect(csvField('a,b', fr)).toBe('a,b');
    expect(csvField('a;b', fr)).toBe('"a;b"');
    expect(csvField('say "hi"', en)).toBe('"say ""hi"""');
    expect(csvField('two\nlines', en)).toBe('"two\nlines"');
    expect(csvField('cr\ronly', en)).toBe('"cr\ronly"');
  });

  it('keeps text a spreadsheet would run as a formula as text, with a leading quote', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      const field = csvField(`${start}HYPERLINK("http://evil")`, en);
      expect(field.replace(/^"/, '').startsWith(`'${start}`), JSON.stringify(field)).toBe(true);
    }
    expect(csvField('=1+1', en)).toBe("'=1+1");
    expect(csvField('=SUM(A1;A2)', fr)).toBe(`"'=SUM(A1;A2)"`);
    expect(csvField('a=b', en)).toBe('a=b');
  });

  it('writes numbers unformatted, signs kept, and nothing for null or a non-finite number', () => {
    expect(csvField(12345.5, fr)).toBe('12345.5');
    expect(csvField(-3, en)).toBe('-3');
    expect(csvField(0, en)).toBe('0');
    expect(csvField(null, en)).toBe('');
    expect(csvField(undefined, en)).toBe('');
    expect(csvField(Number.NaN, en)).toBe('');
    expect(csvField(true, en)).toBe('true');
  });

  it('writes moments as ISO 8601 in the reader’s zone with its offset', () => {
    const d = new Date('2026-12-06T08:30:00Z');
    expect(csvField(d, en)).toBe('2026-12-06T08:30:00Z');
    expect(csvField(d, fr)).toBe('2026-12-06T09:30:00+01:00');
    expect(isoIn(new Date('2026-07-01T22:00:00Z'), 'Europe/Paris')).toBe('2026-07-02T00:00:00+02:00');
    expect(isoIn(d, 'Not/AZone')).toBe('2026-12-06T08:30:00Z');
  });
});

describe('csvDocument', () => {
  it('starts with the byte order mark, ends every line with CRLF, and separates by the reader’s separator', () => {
    const doc = csvDocument(['name', 'count'], [['Zoé, L1', 3], ['=cmd', -1]], en);
    expect(doc.startsWith(CSV_BOM)).toBe(true);
    expect(doc.slice(1)).toBe('name,count\r\n"Zoé, L1",3\r\n\'=cmd,-1\r\n');
    expect(csvDocument(['a', 'b'], [[1.5, 'x;y']], fr).slice(1)).toBe('a;b\r\n1.5;"x;y"\r\n');
    expect(csvLine([], en)).toBe('\r\n');
  });

  it('picks `;` for French readers and `,` for the others', () => {
    expect(csvSeparatorFor('fr')).toBe(';');
    expect(csvSeparatorFor('fr-FR')).toBe(';');
    expect(csvSeparatorFor('en')).toBe(',');
    expect(csvSeparatorFor('en-XA')).toBe(',');
  });
});

import { describe, expect, it } from 'vitest';
import { REPORT_ROW_FORMAT, decodeReportRows, encodeReportRows, type StoredReportRow } from '../../../src/domain/report-row-codec.js';
import { ROW_EVENT, type ReportRow } from '../../../src/domain/report-row.js';
import { appErrorOf } from '../../helpers/app-error.js';
import { hexId, reportRowFixture } from '../../helpers/report-row-fixture.js';

const ms = (iso: string) => Date.parse(iso);
const AGENT = 'a'.repeat(24);
const OTHER = 'b'.repeat(24);
const INBOX = '1'.repeat(24);
const TEAM = 'c'.repeat(24);
const CATEGORY = 'e'.repeat(24);

const row = (number: number, over: Partial<ReportRow> = {}): ReportRow => reportRowFixture(number, INBOX, { ticketId: hexId(0x1000 + number), createdAt: ms('2026-05-01T08:00:00Z') + number, ...over });
const stored = (r: ReportRow, madeAt = ms('2026-06-01T00:00:00Z') + r.number * 1000): StoredReportRow => ({ row: r, madeAt });
const roundTrip = (rows: StoredReportRow[]) => decodeReportRows(encodeReportRows(rows));

/** A varied block: every optional part present and absent, every SLA value and rating, NaN durations, unicode tags. */
const varied = (): StoredReportRow[] => [
  stored(row(512)),
  stored(
    row(513, {
      teamId: TEAM,
      assigneeId: AGENT,
      categoryId: CATEGORY,
      priority: 'urgent',
      tags: ['vip', 'facturation', 'été ☀', '日本語', '🎉'],
      active: true,
      firstResponse: { at: ms('2026-05-01T09:00:00Z'), seconds: 3600, businessSeconds: 1800.5, sla: 'met' },
      resolution: { at: ms('2026-05-02T09:00:00Z'), seconds: 90_000, businessSeconds: 28_800, nextResponseSla: 'breached', resolutionSla: null, reopened: true },
      rating: { rating: 'good', at: ms('2026-05-03T09:00:00Z'), commented: true },
      events: [
        { at: ms('2026-05-01T09:00:00Z'), kinds: ROW_EVENT.reply, actorId: AGENT },
        { at: ms('2026-05-01T10:00:00Z'), kinds: ROW_EVENT.breach, actorId: null },
        { at: ms('2026-05-02T09:00:00Z'), kinds: ROW_EVENT.solve, actorId: OTHER },
        { at: ms('2026-05-02T10:00:00Z'), kinds: ROW_EVENT.reopen | ROW_EVENT.reply, actorId: null },
      ],
    }),
  ),
  stored(
    row(514, {
      priority: 'low',
      excluded: true,
      teamId: TEAM,
      tags: ['vip'],
      firstResponse: { at: ms('2026-05-01T11:00:00Z'), seconds: NaN, businessSeconds: NaN, sla: 'breached' },
      resolution: { at: ms('2026-05-04T09:00:00Z'), seconds: NaN, businessSeconds: 0, nextResponseSla: null, resolutionSla: 'met', reopened: false },
      rating: { rating: 'okay', at: ms('2026-05-05T09:00:00Z'), commented: false },
    }),
  ),
  stored(
    row(515, {
      priority: 'high',
      assigneeId: OTHER,
      firstResponse: { at: ms('2026-05-01T11:00:00Z'), seconds: 0, businessSeconds: 0, sla: null },
      resolution: { at: ms('2026-05-04T09:00:00Z'), seconds: 1, businessSeconds: 1, nextResponseSla: 'met', resolutionSla: 'breached', reopened: false },
      rating: { rating: 'bad', at: ms('2026-05-05T09:00:00Z'), commented: true },
      events: [{ at: ms('2026-05-06T09:00:00Z'), kinds: ROW_EVENT.solve | ROW_EVENT.breach, actorId: AGENT }],
    }),
  ),
  stored(row(767, { active: true, categoryId: CATEGORY, tags: ['日本語', 'vip'] }), 0),
];

describe('encodeReportRows / decodeReportRows', () => {
  it('gives back varied rows as they were, with their makings', () => {
    const rows = varied();
    expect(roundTrip(rows)).toEqual(rows);
  });

  it('keeps NaN durations as NaN', () => {
    const back = roundTrip(varied()).find((s) => s.row.number === 514)!.row;
    expect(Number.isNaN(back.firstResponse!.seconds)).toBe(true);
    expect(Number.isNaN(back.firstResponse!.businessSeconds)).toBe(true);
    expect(Number.isNaN(back.resolution!.seconds)).toBe(true);
    expect(back.resolution!.businessSeconds).toBe(0);
  });

  it('keeps every SLA value in every place, and every rating with and without a comment', () => {
    const slas = ['met', 'breached', null] as const;
    const ratings = ['good', 'okay', 'bad'] as const;
    const rows: StoredReportRow[] = [];
    let n = 0;
    for (const a of slas)
      for (const b of slas)
        for (const c of slas) {
          const r = ratings[n % 3]!;
          rows.push(
            stored(
              row(n, {
                firstResponse: { at: 1, seconds: 2, businessSeconds: 3, sla: a },
                resolution: { at: 4, seconds: 5, businessSeconds: 6, nextResponseSla: b, resolutionSla: c, reopened: n % 2 === 0 },
                rating: { rating: r, at: 7, commented: n % 4 < 2 },
              }),
            ),
          );
          n++;
        }
    expect(roundTrip(rows)).toEqual(rows);
  });

  it('keeps every priority, and the exclusion and activity flags apart', () => {
    const rows = (['low', 'normal', 'high', 'urgent'] as const).flatMap((priority, i) => [
      stored(row(i * 4, { priority, excluded: false, active: false })),
      stored(row(i * 4 + 1, { priority, excluded: true, active: false })),
      stored(row(i * 4 + 2, { priority, excluded: false, active: true })),
      stored(row(i * 4 + 3, { priority, excluded: true, active: true })),
    ]);
    expect(roundTrip(rows)).toEqual(rows);
  });

  it('keeps many tags and many rows, ids and tags shared between rows', () => {
    const tags = Array.from({ length: 300 }, (_, i) => `tag-${i}-${'ü'.repeat(i % 7)}`);
    const rows = Array.from({ length: 256 }, (_, i) =>
      stored(
        row(256 * 3 + i, {
          assigneeId: i % 3 === 0 ? null : hexId(i % 5),
          teamId: hexId(100 + (i % 2)),
          tags: i === 0 ? tags : tags.slice(i, i + 3),
          events: Array.from({ length: i % 4 }, (_, k) => ({ at: ms('2026-05-01T00:00:00Z') + k * 60_000, kinds: 1 << k, actorId: k % 2 ? hexId(i % 5) : null })),
        }),
      ),
    );
    const back = roundTrip(rows);
    expect(back).toHaveLength(256);
    expect(back[0]!.row.tags).toEqual(tags);
    expect(back).toEqual(rows);
  });

  it('keeps a long tag and an empty one', () => {
    const rows = [stored(row(1, { tags: ['x'.repeat(5000), '', 'ß'.repeat(300)] }))];
    expect(roundTrip(rows)).toEqual(rows);
  });

  it('packs and unpacks a block of no rows', () => {
    const bytes = encodeReportRows([]);
    expect(bytes[0]).toBe(REPORT_ROW_FORMAT);
    expect(decodeReportRows(bytes)).toEqual([]);
  });

  it('writes rows given in any order by ticket number', () => {
    const rows = varied();
    const shuffled = [rows[3]!, rows[0]!, rows[4]!, rows[2]!, rows[1]!];
    const back = roundTrip(shuffled);
    expect(back.map((s) => s.row.number)).toEqual([512, 513, 514, 515, 767]);
    expect(back).toEqual(rows);
    // The caller's array is left as it was.
    expect(shuffled.map((s) => s.row.number)).toEqual([515, 512, 767, 514, 513]);
  });

  it('keeps each row’s own madeAt, fractional and zero included', () => {
    const rows = [stored(row(1), 0), stored(row(2), ms('2026-06-01T12:34:56.789Z')), stored(row(3), 1.5)];
    expect(roundTrip(rows).map((s) => s.madeAt)).toEqual([0, ms('2026-06-01T12:34:56.789Z'), 1.5]);
  });

  it('reads the bytes of a view into a larger buffer (as a driver hands them over)', () => {
    const rows = varied();
    const bytes = encodeReportRows(rows);
    const big = new Uint8Array(bytes.length + 37);
    big.fill(0xab);
    big.set(bytes, 20);
    expect(decodeReportRows(big.subarray(20, 20 + bytes.length))).toEqual(rows);
  });

  it('is deterministic: the same rows in another order give the same bytes', () => {
    const rows = varied();
    expect(encodeReportRows([...rows].reverse()).equals(encodeReportRows(rows))).toBe(true);
  });
});

describe('decodeReportRows refuses what it cannot read', () => {
  it('refuses a block of another format', () => {
    const bytes = Buffer.from(encodeReportRows(varied()));
    for (const format of [0, REPORT_ROW_FORMAT + 1, 255]) {
      bytes[0] = format;
      const err = appErrorOf(() => decodeReportRows(bytes));
      expect(err.code).toBe('INTERNAL');
      expect(err.message).toContain(`format ${format}`);
    }
  });

  it('refuses bytes cut short anywhere, and none at all', () => {
    const bytes = encodeReportRows(varied().slice(0, 3));
    for (let len = 0; len < bytes.length; len++) {
      const err = appErrorOf(() => decodeReportRows(bytes.subarray(0, len)));
      expect(err.code, `cut at ${len}`).toBe('INTERNAL');
    }
    expect(appErrorOf(() => decodeReportRows(new Uint8Array(0))).code).toBe('INTERNAL');
  });

  it('refuses a row count larger than the rows it holds', () => {
    const bytes = Buffer.from(encodeReportRows(varied()));
    bytes.writeUInt32LE(6, 1);
    expect(appErrorOf(() => decodeReportRows(bytes)).code).toBe('INTERNAL');
  });
});

describe('encodeReportRows refuses what it cannot write', () => {
  it('refuses an id that is not 24 lower-case hex digits, wherever the row names it', () => {
    const bad = ['not-an-id', 'a'.repeat(23), 'a'.repeat(25), 'g'.repeat(24), 'A'.repeat(24), ''];
    for (const id of bad) {
      for (const over of [{ ticketId: id }, { inboxId: id }, { teamId: id }, { assigneeId: id }, { categoryId: id }, { events: [{ at: 1, kinds: ROW_EVENT.reply, actorId: id }] }] as Array<Partial<ReportRow>>) {
        const err = appErrorOf(() => encodeReportRows([stored(row(1)), stored(row(2, over))]));
        expect(err.code, `${JSON.stringify(over)}`).toBe('INTERNAL');
      }
    }
  });

  it('refuses a block naming more distinct tags than its table holds', () => {
    const tags = Array.from({ length: 0x10000 }, (_, i) => `t${i}`);
    const err = appErrorOf(() => encodeReportRows([stored(row(1, { tags: tags.slice(0, 40_000) })), stored(row(2, { tags: tags.slice(40_000) }))]));
    expect(err.code).toBe('INTERNAL');
    expect(err.message).toContain('tags');
  });
});

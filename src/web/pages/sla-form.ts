import { validateBusinessHours } from '../../domain/business-hours.js';
import { validateSlaPolicy, type SlaPolicy } from '../../domain/sla.js';
import { TEAM_LEVELS } from '../../domain/teams.js';
import { TICKET_PRIORITIES } from '../../domain/ticket-status.js';
import type { Translator } from '../../i18n/catalog.js';
import type { UserLabel } from '../../services/tickets/list-assignees.js';
import { withIssueKeys } from '../../services/validate.js';
import { checked, field, fields, issueText, WEEK_DAYS, type FormBody, type FormIssue } from './form-fields.js';

/**
 * A problem tied to one input of the SLA form (`field` null: the form as a whole): the use case's
 * `message`, or for what the form itself cannot read, the catalog `key` of its text.
 */
export interface FieldError {
  field: string | null;
  message: string;
  key?: string;
  params?: Record<string, unknown>;
}

/** A problem the form itself finds; its text comes from the catalog when shown. */
const formError = (name: string, key: string): FieldError => ({ field: name, message: '', key });

/** The ladder rows a form shows at most; a level is removed by clearing its row. */
export const MAX_LADDER_ROWS = 6;

const CLOCKS = [
  { key: 'first', path: 'firstResponseSeconds' },
  { key: 'next', path: 'nextResponseSeconds' },
  { key: 'resolution', path: 'resolutionSeconds' },
] as const;

const capitalised = (s: string) => s.charAt(0).toLocaleUpperCase() + s.slice(1);

/** "1h30m", "45m", "2d": how a target or delay in seconds is written in the form. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '';
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : '', s ? `${s}s` : ''].join('') || '0m';
}

/** Reads "90" (minutes), "45m", "4h", "1h30m", "2d" (24 h each); '' is no value, NaN is unreadable. */
export function parseDuration(text: string): number | null {
  const t = text.trim().toLowerCase().replace(/\s+/g, '');
  if (t === '') return null;
  if (/^\d+$/.test(t)) return Number(t) * 60;
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?:in)?)?(?:(\d+)s)?$/.exec(t);
  if (!m) return Number.NaN;
  const [d, h, min, s] = [m[1], m[2], m[3], m[4]].map((x) => Number(x ?? 0)) as [number, number, number, number];
  return d * 86_400 + h * 3600 + min * 60 + s;
}

/** "09:00-12:00, 13:00-17:00" for one day; '' is closed. */
function parseIntervals(text: string): Array<{ open: string; close: string }> | null {
  const parts = text.split(/[,;]/).map((p) => p.trim()).filter(Boolean);
  const out: Array<{ open: string; close: string }> = [];
  for (const part of parts) {
    const m = /^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$/.exec(part);
    if (!m) return null;
    out.push({ open: `${m[1]!.padStart(2, '0')}:${m[2]}`, close: `${m[3]!.padStart(2, '0')}:${m[4]}` });
  }
  return out;
}

/** The calendar the form offers when the policy has none: UTC, Monday to Friday 09:00-17:00. */
const OFFERED_CALENDAR = {
  timeZone: 'UTC',
  weekly: WEEK_DAYS.filter(({ day }) => day >= 1 && day <= 5).map(({ day }) => ({ day, open: '09:00', close: '17:00' })),
  holidays: [] as string[],
};

/** A stored policy written out as the form would post it, so one view serves both. */
export function policyToForm(policy: SlaPolicy): FormBody {
  const body: FormBody = {};
  for (const p of TICKET_PRIORITIES) for (const c of CLOCKS) body[`t_${p}_${c.key}`] = formatDuration(policy.targets[p][c.path]);
  for (const level of TEAM_LEVELS) {
    const own = policy.levelTargets?.[level];
    if (own) body[`lv_${level}_on`] = 'on';
    // A level without targets of its own offers the priority targets, a start for when it is ticked.
    for (const p of TICKET_PRIORITIES) for (const c of CLOCKS) body[`lt_${level}_${p}_${c.key}`] = formatDuration((own ?? policy.targets)[p][c.path]);
  }
  body.reminder = String(Math.round(policy.reminderAtFraction * 1000) / 10);
  if (policy.pauseWithPartner !== false) body.pw_pause = 'on';
  if (policy.businessHours) body.bh_on = 'on';
  // With business hours off, the calendar typed before is shown, ready to be switched on again.
  const hours = policy.businessHours ?? policy.keptBusinessHours ?? OFFERED_CALENDAR;
  body.bh_tz = hours.timeZone;
  for (const { day } of WEEK_DAYS) {
    body[`bh_day_${day}`] = hours.weekly.filter((w) => w.day === day).map((w) => `${w.open}-${w.close}`).join(', ');
  }
  body.bh_holidays = hours.holidays.join('\n');
  policy.ladder.forEach((level, i) => {
    body[`l${i}_name`] = level.name;
    body[`l${i}_after`] = formatDuration(level.afterSeconds);
    body[`l${i}_users`] = [...level.userIds];
    body[`l${i}_escalate`] = level.escalateTo ?? '';
  });
  return body;
}

const rowUsed = (body: FormBody, i: number) =>
  field(body, `l${i}_name`).trim() !== '' || field(body, `l${i}_after`).trim() !== '' || fields(body, `l${i}_users`).length > 0 || field(body, `l${i}_escalate`) !== '';

/** A ladder row's "also move to a team of level …" choice ('' for none; anything else goes to the policy check). */
const escalateOf = (body: FormBody, i: number) => {
  const level = field(body, `l${i}_escalate`);
  return level === '' ? {} : { escalateTo: level };
};

/**
 * Reads the posted form into the input of putInboxSla. Durations and times it cannot read are
 * reported against their inputs at once, together with what the policy check finds in the rest;
 * `fieldOf` maps the use case's issue paths back to inputs.
 */
export function formToPolicy(body: FormBody): { input: Record<string, unknown>; errors: FieldError[]; fieldOf: (issue: FormIssue) => FieldError } {
  const errors: FieldError[] = [];
  const duration = (name: string) => {
    const seconds = parseDuration(field(body, name));
    if (Number.isNaN(seconds)) errors.push(formError(name, 'settings:sla.error.duration'));
    return seconds;
  };
  const table = (prefix: string) => Object.fromEntries(TICKET_PRIORITIES.map((p) => [p, Object.fromEntries(CLOCKS.map((c) => [c.path, duration(`${prefix}${p}_${c.key}`)]))]));
  const targets = table('t_');
  // Only a ticked level has targets of its own; the grid of an unticked one is not read.
  const levelTargets = Object.fromEntries(TEAM_LEVELS.filter((level) => checked(body, `lv_${level}_on`)).map((level) => [level, table(`lt_${level}_`)]));

  const reminderText = field(body, 'reminder').trim();
  const reminder = reminderText === '' ? 75 : Number(reminderText);
  if (!Number.isFinite(reminder) || reminder <= 0 || reminder >= 100) errors.push(formError('reminder', 'settings:sla.error.percentage'));

  // The calendar fields are read whether business hours are on or off: off, a calendar that reads
  // and validates is kept for later, and one that does not is dropped rather than block the save.
  const hoursOn = checked(body, 'bh_on');
  const weeklyDays: number[] = [];
  const weekly: Array<{ day: number; open: string; close: string }> = [];
  let calendarReadable = true;
  for (const { day } of WEEK_DAYS) {
    const intervals = parseIntervals(field(body, `bh_day_${day}`));
    if (!intervals) {
      calendarReadable = false;
      if (hoursOn) errors.push(formError(`bh_day_${day}`, 'settings:sla.error.hours'));
    }
    for (const interval of intervals ?? []) {
      weekly.push({ day, ...interval });
      weeklyDays.push(day);
    }
  }
  const holidays = field(body, 'bh_holidays').split(/[\s,]+/).filter(Boolean);
  const calendar = { timeZone: field(body, 'bh_tz').trim(), weekly, holidays };
  const businessHours: Record<string, unknown> | null = hoursOn ? calendar : null;
  const kept = !hoursOn && calendarReadable ? validateBusinessHours(calendar) : null;
  // The calendar the form offers untouched is not worth keeping: it is what an empty one shows.
  const keptBusinessHours = kept?.ok && JSON.stringify(kept.value) !== JSON.stringify(OFFERED_CALENDAR) ? kept.value : null;

  const ladderRows: number[] = [];
  for (let i = 0; i < MAX_LADDER_ROWS; i++) if (rowUsed(body, i)) ladderRows.push(i);
  const ladder = ladderRows.map((i, n) => ({
    level: n + 1,
    name: field(body, `l${i}_name`).trim(),
    userIds: fields(body, `l${i}_users`),
    afterSeconds: duration(`l${i}_after`) ?? 0,
    ...escalateOf(body, i),
  }));

  const fieldOf = (issue: FormIssue): FieldError => {
    const at = (name: string | null): FieldError => ({ field: name, message: issue.message, ...(issue.key ? { key: issue.key, params: issue.params ?? {} } : {}) });
    const parts = issue.path.split('.');
    const [head, a, b] = parts;
    if (head === 'targets' && a && b) {
      const clock = CLOCKS.find((c) => c.path === b);
      if (clock) return at(`t_${a}_${clock.key}`);
    }
    if (head === 'levelTargets' && a && (TEAM_LEVELS as readonly string[]).includes(a)) {
      const clock = CLOCKS.find((c) => c.path === parts[3]);
      return at(b && clock ? `lt_${a}_${b}_${clock.key}` : `lv_${a}_on`);
    }
    if (head === 'reminderAtFraction') return at('reminder');
    if (head === 'businessHours' || head === 'keptBusinessHours') {
      if (a === 'timeZone') return at('bh_tz');
      if (a === 'holidays') return at('bh_holidays');
      if (a === 'weekly' && b !== undefined && weeklyDays[Number(b)] !== undefined) return at(`bh_day_${weeklyDays[Number(b)]}`);
      return at('bh_on');
    }
    if (head === 'ladder' && a !== undefined && ladderRows[Number(a)] !== undefined) {
      const row = ladderRows[Number(a)]!;
      const which = b === 'afterSeconds' ? 'after' : b === 'userIds' ? 'users' : b === 'escalateTo' ? 'escalate' : 'name';
      return at(`l${row}_${which}`);
    }
    return at(head === 'ladder' ? 'ladder' : null);
  };

  const input = { targets, levelTargets, businessHours, keptBusinessHours, reminderAtFraction: reminder / 100, ladder, pauseWithPartner: checked(body, 'pw_pause') };
  // The use case is not asked while the form has unreadable fields, so its checks of the readable
  // rest run here too: every problem shows on the first save, not one batch per attempt.
  if (errors.length > 0) {
    const checked = validateSlaPolicy(input);
    const reported = new Set(errors.map((e) => e.field));
    // The domain's issues carry no catalog keys; those of known wordings get theirs, as the use case's would.
    if (!checked.ok) for (const issue of withIssueKeys(checked.issues)) {
      const error = fieldOf(issue);
      if (error.field === null || !reported.has(error.field)) errors.push(error);
    }
  }
  return { input, errors, fieldOf };
}

const SIMPLE_LABELS: Record<string, string> = {
  reminder: 'settings:sla.label.reminder',
  bh_tz: 'settings:form.timeZone',
  bh_holidays: 'settings:sla.label.holidays',
  bh_on: 'settings:sla.label.businessHours',
  ladder: 'settings:sla.label.ladder',
};

/** A short label for a field's message in the summary above the form. */
function labelOf(name: string, t: Translator['t']): string {
  const target = /^t_(\w+)_(first|next|resolution)$/.exec(name);
  if (target) return t('settings:sla.label.target', { priority: capitalised(t(`common:priority.${target[1]}`)), clock: t(`settings:sla.clock.${target[2]}`) });
  const levelTarget = /^lt_(L\d)_(\w+)_(first|next|resolution)$/.exec(name);
  if (levelTarget) {
    return t('settings:sla.label.levelTarget', { level: t('common:level', { level: levelTarget[1] }), priority: capitalised(t(`common:priority.${levelTarget[2]}`)), clock: t(`settings:sla.clock.${levelTarget[3]}`) });
  }
  const levelOwn = /^lv_(L\d)_on$/.exec(name);
  if (levelOwn) return t('settings:sla.label.levelOwn', { level: t('common:level', { level: levelOwn[1] }) });
  const day = /^bh_day_(\d)$/.exec(name);
  if (day) return t(`settings:sla.label.dayHours.${day[1]}`);
  const rung = /^l(\d+)_(name|after|users|escalate)$/.exec(name);
  if (rung) return t(`settings:sla.label.level.${rung[2]}`, { level: Number(rung[1]) + 1 });
  return Object.hasOwn(SIMPLE_LABELS, name) ? t(SIMPLE_LABELS[name]!) : name;
}

/** What the SLA template renders: every input with its value and error, and the list of problems. */
export function slaFormView(body: FormBody, users: UserLabel[], errors: FieldError[], tr: Translator) {
  const { t } = tr;
  const text = (e: FieldError) => issueText(e, tr);
  const errorOf = new Map<string, string>();
  for (const e of errors) if (e.field && !errorOf.has(e.field)) errorOf.set(e.field, text(e));
  const input = (name: string) => ({ name, value: field(body, name), error: errorOf.get(name) ?? null });
  const used = [...Array(MAX_LADDER_ROWS).keys()].filter((i) => rowUsed(body, i));
  const rowCount = Math.min(MAX_LADDER_ROWS, (used.length ? Math.max(...used) + 1 : 0) + 1);
  const known = new Set(users.map((u) => u.id));
  const chosen = [...new Set([...Array(MAX_LADDER_ROWS).keys()].flatMap((i) => fields(body, `l${i}_users`)))];
  const allUsers = [...users, ...chosen.filter((id) => !known.has(id)).map((id) => ({ id, label: t('settings:sla.notInInbox', { id }) }))];
  // One grid of targets: a row per priority, a cell per clock, each input labelled for screen readers.
  const grid = (prefix: string, cellLabel: (priority: string, clock: string) => string) =>
    TICKET_PRIORITIES.map((p) => {
      const priority = capitalised(t(`common:priority.${p}`));
      return { label: priority, cells: CLOCKS.map((c) => ({ ...input(`${prefix}${p}_${c.key}`), column: t(`settings:sla.column.${c.key}`), label: cellLabel(priority, t(`settings:sla.clock.${c.key}`)) })) };
    });
  return {
    targets: grid('t_', (priority, clock) => t('settings:sla.label.cell', { priority, clock })),
    levels: TEAM_LEVELS.map((level) => {
      const short = t('common:level', { level });
      return {
        heading: t('settings:teams.levelName', { level }),
        own: { name: `lv_${level}_on`, on: checked(body, `lv_${level}_on`), error: errorOf.get(`lv_${level}_on`) ?? null },
        targets: grid(`lt_${level}_`, (priority, clock) => t('settings:sla.label.levelCell', { level: short, priority, clock })),
      };
    }),
    reminder: input('reminder'),
    pauseWithPartner: checked(body, 'pw_pause'),
    businessHours: {
      on: checked(body, 'bh_on'),
      error: errorOf.get('bh_on') ?? null,
      timeZone: input('bh_tz'),
      days: WEEK_DAYS.map((w) => ({ ...input(`bh_day_${w.day}`), label: t(`settings:day.long.${w.day}`) })),
      holidays: input('bh_holidays'),
    },
    ladderError: errorOf.get('ladder') ?? null,
    ladder: [...Array(rowCount).keys()].map((i) => {
      const picked = new Set(fields(body, `l${i}_users`));
      return {
        level: i + 1,
        name: input(`l${i}_name`),
        after: input(`l${i}_after`),
        usersField: `l${i}_users`,
        usersError: errorOf.get(`l${i}_users`) ?? null,
        escalate: {
          ...input(`l${i}_escalate`),
          options: TEAM_LEVELS.filter((level) => level !== 'L1').map((level) => ({ value: level, label: t('common:level', { level }), selected: field(body, `l${i}_escalate`) === level })),
        },
        users: allUsers.map((u) => ({ ...u, checked: picked.has(u.id) })),
      };
    }),
    problems: errors.map((e) => (e.field ? t('settings:form.problem', { label: labelOf(e.field, t), message: text(e) }) : text(e))),
  };
}

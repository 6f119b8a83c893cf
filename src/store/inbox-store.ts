import type { Types } from 'mongoose';
import type { Locale } from '../i18n/locales.js';
import type { AutoReplyText, InboxDoc } from './models/inbox.js';
import type { Models } from './models/index.js';
import type { InboxStatusDoc } from './models/mailbox.js';

/** An inbox as written by {@link InboxStore.create}: everything but the timestamps. */
export type NewInbox = Omit<InboxDoc, 'createdAt' | 'updatedAt'>;

/**
 * The inboxes (settings, accounts, auto-reply, SLA policy) and what each inbox's poller last reported
 * (`inbox_status`).
 */
export function createInboxStore(models: Pick<Models, 'Inbox' | 'InboxStatus'>) {
  const { Inbox, InboxStatus } = models;
  return {
    /** One inbox, whole; null when it does not exist. */
    findById(id: Types.ObjectId): Promise<InboxDoc | null> {
      return Inbox.findById(id).lean<InboxDoc>().exec();
    },

    /** One inbox's name only. */
    findName(id: Types.ObjectId): Promise<Pick<InboxDoc, '_id' | 'name'> | null> {
      return Inbox.findById(id, { name: 1 }).lean<Pick<InboxDoc, '_id' | 'name'>>().exec();
    },

    /** What an inbox's mails look like: its name, display name, branding and default language. */
    findBranding(id: Types.ObjectId): Promise<Pick<InboxDoc, '_id' | 'name' | 'displayName' | 'branding' | 'defaultLocale'> | null> {
      return Inbox.findById(id, { name: 1, displayName: 1, branding: 1, defaultLocale: 1 })
        .lean<Pick<InboxDoc, '_id' | 'name' | 'displayName' | 'branding' | 'defaultLocale'>>()
        .exec();
    },

    /** One inbox's stored SLA policy only. */
    findSla(id: Types.ObjectId): Promise<Pick<InboxDoc, '_id' | 'sla'> | null> {
      return Inbox.findById(id, { sla: 1 }).lean<Pick<InboxDoc, '_id' | 'sla'>>().exec();
    },

    /** The inbox created first; null when there is none. */
    findOldest(): Promise<InboxDoc | null> {
      return Inbox.findOne().sort({ createdAt: 1 }).lean<InboxDoc>().exec();
    },

    /** The team new tickets of an inbox start with; null when it has none (or the inbox is gone). */
    async findDefaultTeamId(id: Types.ObjectId): Promise<Types.ObjectId | null> {
      const inbox = await Inbox.findById(id, { defaultTeamId: 1 }).lean<Pick<InboxDoc, '_id' | 'defaultTeamId'>>().exec();
      return inbox?.defaultTeamId ?? null;
    },

    /** Inboxes whose new tickets started with this (deleted) team start with none from now on. */
    async clearDefaultTeam(teamId: Types.ObjectId): Promise<void> {
      await Inbox.updateMany({ defaultTeamId: teamId }, { $set: { defaultTeamId: null } }).exec();
    },

    /** Whether an inbox with this id exists. */
    async existsById(id: Types.ObjectId): Promise<boolean> {
      return Boolean(await Inbox.exists({ _id: id }));
    },

    /** How many of these ids name an inbox. */
    countByIds(ids: Types.ObjectId[]): Promise<number> {
      return Inbox.countDocuments({ _id: { $in: ids } }).exec();
    },

    /**
     * Every inbox to poll, whole, in no particular order (the poller supervisor's scan): disabled,
     * deleted (kept read-only) and moving inboxes are left out, so their pollers stop.
     */
    listAll(): Promise<InboxDoc[]> {
      return Inbox.find({ disabled: null, deletedAt: null, movingTo: null }).lean<InboxDoc[]>().exec();
    },

    /** Disables (with why) or enables (`null`) an inbox; returns it changed, or null when it does not exist or is deleted. */
    setDisabled(id: Types.ObjectId, disabled: InboxDoc['disabled']): Promise<InboxDoc | null> {
      return Inbox.findOneAndUpdate({ _id: id, deletedAt: null }, { $set: { disabled } }, { returnDocument: 'after' }).lean<InboxDoc>().exec();
    },

    /**
     * The inboxes with these ids, or every inbox when `ids` is undefined; by name, then id. Deleted
     * inboxes (kept read-only, or being moved away) are left out.
     */
    listByName(ids: Types.ObjectId[] | undefined): Promise<InboxDoc[]> {
      return Inbox.find({ ...(ids ? { _id: { $in: ids } } : {}), deletedAt: null, movingTo: null })
        .sort({ name: 1, _id: 1 })
        .lean<InboxDoc[]>()
        .exec();
    },

    /** The ids of every inbox. */
    async listIds(): Promise<Types.ObjectId[]> {
      return (await Inbox.find({}, { _id: 1 }).lean<Array<Pick<InboxDoc, '_id'>>>().exec()).map((i) => i._id);
    },

    /** Every inbox's address: the addresses Threadline receives at. */
    listAddresses(): Promise<Array<Pick<InboxDoc, '_id' | 'address'>>> {
      return Inbox.find({}, { address: 1 }).lean<Array<Pick<InboxDoc, '_id' | 'address'>>>().exec();
    },

    /** Every inbox's address and name, and when it was deleted (the ticket page). */
    listAddressesAndNames(): Promise<Array<Pick<InboxDoc, '_id' | 'address' | 'name' | 'deletedAt'>>> {
      return Inbox.find({}, { address: 1, name: 1, deletedAt: 1 }).lean<Array<Pick<InboxDoc, '_id' | 'address' | 'name' | 'deletedAt'>>>().exec();
    },

    /** Every inbox as a sender of replies: address, names, branding, default language and whether it was deleted. */
    listSenders(): Promise<Array<Pick<InboxDoc, '_id' | 'address' | 'name' | 'displayName' | 'branding' | 'defaultLocale' | 'deletedAt' | 'movingTo' | 'quoteHistory'>>> {
      return Inbox.find({}, { address: 1, name: 1, displayName: 1, branding: 1, defaultLocale: 1, deletedAt: 1, movingTo: 1, quoteHistory: 1 })
        .lean<Array<Pick<InboxDoc, '_id' | 'address' | 'name' | 'displayName' | 'branding' | 'defaultLocale' | 'deletedAt' | 'movingTo' | 'quoteHistory'>>>()
        .exec();
    },

    /** The names of the inboxes with these ids, by name. */
    listNamesByIds(ids: Types.ObjectId[]): Promise<Array<Pick<InboxDoc, '_id' | 'name'>>> {
      return Inbox.find({ _id: { $in: ids } }, { name: 1 })
        .sort({ name: 1 })
        .lean<Array<Pick<InboxDoc, '_id' | 'name'>>>()
        .exec();
    },

    /** The SLA policies of the inboxes with these ids (ObjectIds or their hex strings). */
    listSlasByIds(ids: Array<Types.ObjectId | string>): Promise<Array<Pick<InboxDoc, '_id' | 'sla'>>> {
      return Inbox.find({ _id: { $in: ids } }, { sla: 1 }).lean<Array<Pick<InboxDoc, '_id' | 'sla'>>>().exec();
    },

    /** The lifecycle settings of these inboxes (domain/lifecycle.ts lifecycleSettingsOf fills in what older inboxes lack). */
    listLifecycleByIds(ids: Array<Types.ObjectId | string>): Promise<Array<Pick<InboxDoc, '_id' | 'autoCloseAfterDays' | 'pendingReminderAfterDays'>>> {
      return Inbox.find({ _id: { $in: ids } }, { autoCloseAfterDays: 1, pendingReminderAfterDays: 1 }).lean<Array<Pick<InboxDoc, '_id' | 'autoCloseAfterDays' | 'pendingReminderAfterDays'>>>().exec();
    },

    /** The ids of the inboxes at these (lower-case) addresses. */
    listIdsByAddresses(addresses: string[]): Promise<Array<Pick<InboxDoc, '_id'>>> {
      return Inbox.find({ address: { $in: addresses } }, { _id: 1 }).lean<Array<Pick<InboxDoc, '_id'>>>().exec();
    },

    /**
     * Adds an inbox and returns it as stored (defaults applied). A used address throws MongoDB's
     * duplicate key error (11000), for the caller to word.
     */
    async create(inbox: NewInbox): Promise<InboxDoc> {
      return (await Inbox.create(inbox)).toObject<InboxDoc>();
    },

    /**
     * Sets these (dotted) fields of an inbox, validated, only while the inbox still has the `expected`
     * (dotted) values; returns the changed inbox, or null when it is gone or the values changed meanwhile.
     * A used address throws MongoDB's duplicate key error (11000).
     */
    updateIfUnchanged(id: Types.ObjectId, expected: Record<string, unknown>, set: Record<string, unknown>): Promise<InboxDoc | null> {
      return Inbox.findOneAndUpdate({ _id: id, ...expected }, { $set: set }, { returnDocument: 'after', runValidators: true }).lean<InboxDoc>().exec();
    },

    /**
     * Sets an inbox's auto-reply on or off and replaces its own subject and text in the languages
     * given (the others keep theirs); returns the changed inbox, or null when it does not exist.
     */
    setAutoReply(id: Types.ObjectId, autoReply: { enabled: boolean; suggestArticles?: boolean; overrides: Partial<Record<Locale, Required<AutoReplyText>>> }): Promise<InboxDoc | null> {
      const set: Record<string, unknown> = { 'autoReply.enabled': autoReply.enabled };
      if (autoReply.suggestArticles !== undefined) set['autoReply.suggestArticles'] = autoReply.suggestArticles;
      for (const [locale, text] of Object.entries(autoReply.overrides)) {
        set[`autoReply.overrides.${locale}.subject`] = text.subject;
        set[`autoReply.overrides.${locale}.template`] = text.template;
      }
      return Inbox.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after' })
        .lean<InboxDoc>()
        .exec();
    },

    /** Replaces an inbox's SLA policy (validated by the caller). */
    async setSla(id: Types.ObjectId, sla: unknown): Promise<void> {
      await Inbox.updateOne({ _id: id }, { $set: { sla } });
    },

    /** What the poller of an inbox last reported; null before it ever did. */
    findStatus(id: Types.ObjectId): Promise<InboxStatusDoc | null> {
      return InboxStatus.findById(id).lean<InboxStatusDoc>().exec();
    },

    /** The poller status of each given inbox that has one, by inbox id (hex). */
    async statusesOf(inboxIds: Types.ObjectId[]): Promise<Map<string, InboxStatusDoc>> {
      if (inboxIds.length === 0) return new Map();
      const rows = await InboxStatus.find({ _id: { $in: inboxIds } }).lean<InboxStatusDoc[]>().exec();
      return new Map(rows.map((row) => [row._id.toHexString(), row]));
    },

    /** Sets these fields of an inbox's poller status, creating the status on its first report. */
    async reportStatus(id: Types.ObjectId, status: Partial<Omit<InboxStatusDoc, '_id'>>): Promise<void> {
      await InboxStatus.updateOne({ _id: id }, { $set: status }, { upsert: true });
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type InboxStore = ReturnType<typeof createInboxStore>;

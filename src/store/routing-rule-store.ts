import type { Types } from 'mongoose';
import type { Models } from './models/index.js';
import type { RoutingRuleDoc } from './models/routing-rule.js';

/** The fields a rule is written with. */
export type RoutingRuleFields = Pick<RoutingRuleDoc, 'name' | 'enabled' | 'onReplies' | 'stop' | 'conditions' | 'actions'>;

/** The routing rules admins define (`routing_rules`); few (tens), so read whole. */
export function createRoutingRuleStore(models: Pick<Models, 'RoutingRule'>) {
  const { RoutingRule } = models;
  return {
    /** Every rule, in the order they run. */
    listAll(): Promise<RoutingRuleDoc[]> {
      return RoutingRule.find({}).sort({ order: 1, _id: 1 }).lean<RoutingRuleDoc[]>().exec();
    },

    /**
     * What changes whenever the rule set does (a rule added, changed, moved or removed): the number of
     * rules and the latest change, so a compiled rule set is kept until it is stale.
     */
    async version(): Promise<string> {
      const [count, latest] = await Promise.all([
        RoutingRule.estimatedDocumentCount().exec(),
        RoutingRule.findOne({}, { updatedAt: 1 }).sort({ updatedAt: -1, _id: -1 }).lean<Pick<RoutingRuleDoc, '_id' | 'updatedAt'>>().exec(),
      ]);
      return `${count}:${latest?.updatedAt?.getTime() ?? 0}:${latest?._id.toHexString() ?? ''}`;
    },

    /** One rule; null when it is missing. */
    findById(id: Types.ObjectId): Promise<RoutingRuleDoc | null> {
      return RoutingRule.findOne({ _id: id }).lean<RoutingRuleDoc>().exec();
    },

    /** The rule with this exact name, if any. */
    findByName(name: string): Promise<RoutingRuleDoc | null> {
      return RoutingRule.findOne({ name }).lean<RoutingRuleDoc>().exec();
    },

    /** Adds a rule after the last one and returns it as stored. */
    async create(fields: RoutingRuleFields): Promise<RoutingRuleDoc> {
      const last = await RoutingRule.findOne({}, { order: 1 }).sort({ order: -1 }).lean<Pick<RoutingRuleDoc, 'order'>>().exec();
      return (await RoutingRule.create({ ...fields, order: (last?.order ?? 0) + 1 })).toObject<RoutingRuleDoc>();
    },

    /** Changes a rule; returns it changed, or null when it is gone. */
    update(id: Types.ObjectId, fields: Partial<RoutingRuleFields>): Promise<RoutingRuleDoc | null> {
      return RoutingRule.findOneAndUpdate({ _id: id }, { $set: fields }, { returnDocument: 'after' }).lean<RoutingRuleDoc>().exec();
    },

    /** Gives the rules these orders (1, 2, 3 … in the list's order); each write bumps `updatedAt`. */
    async setOrder(ids: readonly Types.ObjectId[]): Promise<void> {
      if (ids.length === 0) return;
      await RoutingRule.bulkWrite(ids.map((id, i) => ({ updateOne: { filter: { _id: id }, update: { $set: { order: i + 1 } } } })));
    },

    /** Removes a rule; false when it was already gone. */
    async delete(id: Types.ObjectId): Promise<boolean> {
      return (await RoutingRule.deleteOne({ _id: id })).deletedCount > 0;
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type RoutingRuleStore = ReturnType<typeof createRoutingRuleStore>;

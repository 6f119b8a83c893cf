import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { RoutingRule } from '../../domain/routing-rules.js';

/**
 * A routing rule (domain/routing-rules.ts): conditions on a received mail and the actions taken on
 * its ticket when they all hold. Rules run by `order` (ascending); the use cases validate the
 * conditions and actions before they are stored.
 */
export interface RoutingRuleDoc extends Omit<RoutingRule, 'id'> {
  _id: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
}

const routingRuleSchema = new Schema<RoutingRuleDoc>(
  {
    name: { type: String, required: true, trim: true },
    enabled: { type: Boolean, default: true },
    order: { type: Number, required: true },
    onReplies: { type: Boolean, default: false },
    stop: { type: Boolean, default: false },
    conditions: { type: Schema.Types.Mixed, default: () => [] },
    actions: { type: Schema.Types.Mixed, default: () => [] },
  },
  { timestamps: true, collection: 'routing_rules', minimize: false },
);
// Names are unique: the use cases check first, the index settles races.
routingRuleSchema.index({ name: 1 }, { unique: true });

export type RoutingRuleModel = Model<RoutingRuleDoc>;

export function routingRuleModel(conn: Connection): RoutingRuleModel {
  return conn.model<RoutingRuleDoc>('RoutingRule', routingRuleSchema);
}

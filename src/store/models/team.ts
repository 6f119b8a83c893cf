import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { TEAM_LEVELS, type TeamLevel } from '../../domain/teams.js';

/**
 * A support team of one level (L1–L4): its members, and the inboxes whose tickets it may work. A
 * ticket's team (`ticket.teamId`) lets the team's members see and work it even outside their inboxes.
 */
export interface TeamDoc {
  _id: Types.ObjectId;
  name: string;
  level: TeamLevel;
  memberIds: Types.ObjectId[];
  inboxIds: Types.ObjectId[];
  createdAt: Date;
  updatedAt: Date;
}

const teamSchema = new Schema<TeamDoc>(
  {
    name: { type: String, required: true, trim: true },
    level: { type: String, enum: TEAM_LEVELS, required: true },
    memberIds: { type: [Schema.Types.ObjectId], ref: 'User', default: [] },
    inboxIds: { type: [Schema.Types.ObjectId], ref: 'Inbox', default: [] },
  },
  { timestamps: true, collection: 'teams' },
);
// Names are unique: the use cases check first, the index settles races.
teamSchema.index({ name: 1 }, { unique: true });
// A user's teams, read once at sign-in and on every session resume.
teamSchema.index({ memberIds: 1 });

export type TeamModel = Model<TeamDoc>;

export function teamModel(conn: Connection): TeamModel {
  return conn.model<TeamDoc>('Team', teamSchema);
}

import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { TEAM_LEVELS, type TeamLevel } from '../../domain/teams.js';
import { ASSIGNMENT_MODES, type AssignmentMode } from '../../domain/auto-assign.js';

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
  /**
   * Auto-assignment (domain/auto-assign.ts): the mode, the most open tickets per agent (null: no cap)
   * and the round-robin pointer (where the next turn starts). Absent on older teams: mode `none`.
   */
  assignment?: { mode: AssignmentMode; cap: number | null; pointer: number };
  /** Who is assigning this team's tickets right now, until when (store/team-store.ts claimAssignment); null: nobody. */
  assignmentLease?: { holder: string; until: Date } | null;
  createdAt: Date;
  updatedAt: Date;
}

const teamSchema = new Schema<TeamDoc>(
  {
    name: { type: String, required: true, trim: true },
    level: { type: String, enum: TEAM_LEVELS, required: true },
    memberIds: { type: [Schema.Types.ObjectId], ref: 'User', default: [] },
    inboxIds: { type: [Schema.Types.ObjectId], ref: 'Inbox', default: [] },
    assignment: {
      type: new Schema({ mode: { type: String, enum: ASSIGNMENT_MODES, required: true }, cap: { type: Number, default: null }, pointer: { type: Number, default: 0 } }, { _id: false }),
      default: undefined,
    },
    assignmentLease: { type: new Schema({ holder: { type: String, required: true }, until: { type: Date, required: true } }, { _id: false }), default: undefined },
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

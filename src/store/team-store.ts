import type { Types } from 'mongoose';
import type { Models } from './models/index.js';
import type { TeamLevel } from '../domain/teams.js';
import type { TeamDoc } from './models/team.js';
import type { AssignmentMode } from '../domain/auto-assign.js';

/** The support teams admins define (`teams`). */
export function createTeamStore(models: Pick<Models, 'Team'>) {
  const { Team } = models;
  return {
    /** One team; null when it is missing. */
    findById(id: Types.ObjectId): Promise<TeamDoc | null> {
      return Team.findOne({ _id: id }).lean<TeamDoc>().exec();
    },

    /** Teams by id, in no particular order; missing ones are left out. */
    listByIds(ids: readonly Types.ObjectId[]): Promise<TeamDoc[]> {
      return Team.find({ _id: { $in: ids } }).lean<TeamDoc[]>().exec();
    },

    /** The teams that work an inbox, by level then name (teams are few: no index needed). */
    listOfInbox(inboxId: Types.ObjectId): Promise<TeamDoc[]> {
      return Team.find({ inboxIds: inboxId }).sort({ level: 1, name: 1, _id: 1 }).lean<TeamDoc[]>().exec();
    },

    /** Every team, by level then name. */
    listAll(): Promise<TeamDoc[]> {
      return Team.find({}).sort({ level: 1, name: 1, _id: 1 }).lean<TeamDoc[]>().exec();
    },

    /** The ids of the teams a user is a member of (one indexed read, when the actor is built). */
    async listIdsOfMember(userId: Types.ObjectId): Promise<Types.ObjectId[]> {
      const rows = await Team.find({ memberIds: userId }, { _id: 1 }).lean<Array<Pick<TeamDoc, '_id'>>>().exec();
      return rows.map((r) => r._id);
    },

    /** The ids of the teams of one level (the ticket list's `level` filter; teams are few: no index needed). */
    async listIdsOfLevel(level: TeamLevel): Promise<Types.ObjectId[]> {
      const rows = await Team.find({ level }, { _id: 1 }).lean<Array<Pick<TeamDoc, '_id'>>>().exec();
      return rows.map((r) => r._id);
    },

    /** The team with this name (exact), if any. */
    findByName(name: string): Promise<TeamDoc | null> {
      return Team.findOne({ name }).lean<TeamDoc>().exec();
    },

    /** Adds a team and returns it as stored. */
    async create(team: Pick<TeamDoc, 'name' | 'level' | 'memberIds' | 'inboxIds'>): Promise<TeamDoc> {
      return (await Team.create(team)).toObject<TeamDoc>();
    },

    /** Changes a team; returns it changed, or null when it is gone. */
    update(id: Types.ObjectId, fields: Partial<Pick<TeamDoc, 'name' | 'level' | 'memberIds' | 'inboxIds'>>): Promise<TeamDoc | null> {
      return Team.findOneAndUpdate({ _id: id }, { $set: fields }, { returnDocument: 'after' }).lean<TeamDoc>().exec();
    },

    /** Sets a team's auto-assignment mode and cap, keeping its round-robin pointer; returns it changed, or null when it is gone. */
    setAssignment(id: Types.ObjectId, settings: { mode: AssignmentMode; cap: number | null }): Promise<TeamDoc | null> {
      return Team.findOneAndUpdate({ _id: id }, { $set: { 'assignment.mode': settings.mode, 'assignment.cap': settings.cap } }, { returnDocument: 'after' }).lean<TeamDoc>().exec();
    },

    /**
     * Takes the team's assignment lease for `holder` until `until`, when nobody holds it or the holder's
     * lease ran out (a worker that died); returns the team as it is then, or null when someone else holds it
     * (or the team is gone). One atomic update: two workers never hold it at once.
     */
    claimAssignment(id: Types.ObjectId, holder: string, now: Date, until: Date): Promise<TeamDoc | null> {
      return Team.findOneAndUpdate(
        { _id: id, $or: [{ assignmentLease: null }, { 'assignmentLease.until': { $lte: now } }] },
        { $set: { assignmentLease: { holder, until } } },
        { returnDocument: 'after' },
      ).lean<TeamDoc>().exec();
    },

    /** Gives the lease back, storing the round-robin pointer in the same update (only while `holder` still holds it). */
    async releaseAssignment(id: Types.ObjectId, holder: string, pointer: number | null): Promise<void> {
      await Team.updateOne({ _id: id, 'assignmentLease.holder': holder }, { $set: { assignmentLease: null, ...(pointer !== null ? { 'assignment.pointer': pointer } : {}) } }).exec();
    },

    /** The teams of a member that hand out tickets (a mode other than `none`): whose waiting tickets they may take. */
    async listIdsAssigningToMember(userId: Types.ObjectId): Promise<Types.ObjectId[]> {
      const rows = await Team.find({ memberIds: userId, 'assignment.mode': { $in: ['round_robin', 'least_open'] } }, { _id: 1 }).lean<Array<Pick<TeamDoc, '_id'>>>().exec();
      return rows.map((r) => r._id);
    },

    /** Removes a team; false when it was already gone. */
    async delete(id: Types.ObjectId): Promise<boolean> {
      return (await Team.deleteOne({ _id: id })).deletedCount > 0;
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type TeamStore = ReturnType<typeof createTeamStore>;

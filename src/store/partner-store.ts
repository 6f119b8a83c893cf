import type { Types } from 'mongoose';
import type { Models } from './models/index.js';
import type { PartnerDoc } from './models/partner.js';

/** The outside partners agents may write to (`partners`). */
export function createPartnerStore(models: Pick<Models, 'Partner'>) {
  const { Partner } = models;
  return {
    /** Every partner, by name. */
    listAll(): Promise<PartnerDoc[]> {
      return Partner.find({}).sort({ name: 1, _id: 1 }).lean<PartnerDoc[]>().exec();
    },

    /** One partner; null when it is missing. */
    findById(id: Types.ObjectId): Promise<PartnerDoc | null> {
      return Partner.findOne({ _id: id }).lean<PartnerDoc>().exec();
    },

    /** The partner with this (lower-cased) address, if any. */
    findByAddress(address: string): Promise<PartnerDoc | null> {
      return Partner.findOne({ address: address.toLowerCase() }).lean<PartnerDoc>().exec();
    },

    /** Adds a partner and returns it as stored. */
    async create(partner: Pick<PartnerDoc, 'name' | 'address' | 'note'>): Promise<PartnerDoc> {
      return (await Partner.create(partner)).toObject<PartnerDoc>();
    },

    /** Changes a partner; returns it changed, or null when it is gone. */
    update(id: Types.ObjectId, fields: Partial<Pick<PartnerDoc, 'name' | 'address' | 'note'>>): Promise<PartnerDoc | null> {
      return Partner.findOneAndUpdate({ _id: id }, { $set: fields }, { returnDocument: 'after' }).lean<PartnerDoc>().exec();
    },

    /** Removes a partner; false when it was gone. Side conversations with it keep their addresses. */
    async remove(id: Types.ObjectId): Promise<boolean> {
      return (await Partner.deleteOne({ _id: id })).deletedCount > 0;
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type PartnerStore = ReturnType<typeof createPartnerStore>;

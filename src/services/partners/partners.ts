import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import type { PartnerDoc } from '../../store/models/partner.js';
import type { PartnerStore } from '../../store/partner-store.js';
import { notFound, parseObjectId, requireAdmin, type Actor } from '../access.js';
import { issueMessage, parseInput } from '../validate.js';

/** The longest partner name and note. */
export const PARTNER_NAME_MAX = 120;
export const PARTNER_NOTE_MAX = 2000;

/** A partner as the API and the pages show it. */
export interface PartnerView {
  id: string;
  name: string;
  address: string;
  note: string | null;
  createdAt: Date;
  updatedAt: Date;
}

type PartnerDeps = { partners: Pick<PartnerStore, 'listAll' | 'findById' | 'findByAddress' | 'create' | 'update' | 'remove'> };

const name = z.string().trim().min(1, issueMessage('issue.required', 'is required')).max(PARTNER_NAME_MAX);
const address = z.string().trim().toLowerCase().pipe(z.email().max(254));
const note = z.string().trim().max(PARTNER_NOTE_MAX).nullable();
export const createPartnerSchema = z.strictObject({ name, address, note: note.optional() });
export const updatePartnerSchema = z.strictObject({ name: name.optional(), address: address.optional(), note: note.optional() });

/** The view of a stored partner. */
export const toPartnerView = (p: PartnerDoc): PartnerView => ({
  id: p._id.toHexString(),
  name: p.name,
  address: p.address,
  note: p.note ?? null,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

async function checkAddressFree(deps: PartnerDeps, value: string, self?: PartnerDoc['_id']) {
  const other = await deps.partners.findByAddress(value);
  if (other && !(self && other._id.equals(self))) {
    throw new AppError('CONFLICT', `A partner with the address ${value} already exists`, { key: 'conflict.partnerAddressTaken', params: { address: value } });
  }
}

/** Every partner, by name: any signed-in user may list them (agents choose one on a ticket). */
export async function listPartners(deps: Pick<PartnerDeps, 'partners'>, _actor: Actor): Promise<PartnerView[]> {
  return (await deps.partners.listAll()).map(toPartnerView);
}

/** One partner (any signed-in user); NOT_FOUND when missing. */
export async function getPartner(deps: Pick<PartnerDeps, 'partners'>, _actor: Actor, id: string): Promise<PartnerView> {
  const partnerId = parseObjectId(id);
  const found = partnerId ? await deps.partners.findById(partnerId) : null;
  if (!found) throw notFound('Partner');
  return toPartnerView(found);
}

/** Adds a partner (admins): a name and an address no other partner has, and an optional note. */
export async function createPartner(deps: PartnerDeps, actor: Actor, input: unknown): Promise<PartnerView> {
  requireAdmin(actor);
  const fields = parseInput(createPartnerSchema, input, 'Partner');
  await checkAddressFree(deps, fields.address);
  const created = await deps.partners.create({ name: fields.name, address: fields.address, note: fields.note || null }).catch((err: { code?: number }) => {
    if (err.code === 11000) throw new AppError('CONFLICT', `A partner with the address ${fields.address} already exists`, { key: 'conflict.partnerAddressTaken', params: { address: fields.address } });
    throw err;
  });
  return toPartnerView(created);
}

/** Changes a partner's name, address or note (admins). Side conversations already opened keep the address they were sent to. */
export async function updatePartner(deps: PartnerDeps, actor: Actor, id: string, input: unknown): Promise<PartnerView> {
  requireAdmin(actor);
  const partnerId = parseObjectId(id);
  const current = partnerId ? await deps.partners.findById(partnerId) : null;
  if (!current) throw notFound('Partner');
  const fields = parseInput(updatePartnerSchema, input, 'Partner');
  if (fields.address !== undefined && fields.address !== current.address) await checkAddressFree(deps, fields.address, current._id);
  const updated = await deps.partners.update(current._id, {
    ...(fields.name !== undefined ? { name: fields.name } : {}),
    ...(fields.address !== undefined ? { address: fields.address } : {}),
    ...(fields.note !== undefined ? { note: fields.note || null } : {}),
  });
  if (!updated) throw notFound('Partner');
  return toPartnerView(updated);
}

/** Removes a partner (admins). Side conversations with it stay on their tickets. */
export async function deletePartner(deps: PartnerDeps, actor: Actor, id: string): Promise<void> {
  requireAdmin(actor);
  const partnerId = parseObjectId(id);
  if (!partnerId || !(await deps.partners.remove(partnerId))) throw notFound('Partner');
}

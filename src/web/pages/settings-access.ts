import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../../domain/errors.js';
import { requireSession } from '../session/session-middleware.js';
import type { PageContext, SettingsDeps } from './page-deps.js';

/** The settings routers' context. */
export type SettingsContext = PageContext & { settings: SettingsDeps; logger: Logger };

/** Settings are for admins and managers; agents get 403 (the pages are no secret, so not 404). */
export const requireSettingsAccess: RequestHandler = (_req, res, next) => {
  if (requireSession(res).actor.role === 'agent') throw new AppError('FORBIDDEN', 'Settings are for admins and managers.');
  next();
};

/** Every IANA zone the runtime knows, for the time zone inputs' suggestions. */
export const TIME_ZONES: string[] = Intl.supportedValuesOf('timeZone');

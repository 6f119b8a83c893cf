import { composeMessage } from '../../src/mail/compose-message.js';
import type { ComposeMail, JobScheduler } from '../../src/services/ports.js';

/** A scheduler that schedules nothing, for tests that look at what a use case stores, not at its jobs. */
export const noJobs: JobScheduler = {
  schedule: async () => {},
  cancel: async () => {},
  cancelMatching: async () => {},
  replaceMatching: async () => {},
  scheduleRecurring: async () => {},
};

/** The real composer, as the composition root passes it. */
export const compose: ComposeMail = composeMessage;

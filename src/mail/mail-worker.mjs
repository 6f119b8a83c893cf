// Entry of the mail worker threads (mail-worker-pool.ts). Threadline runs from its TypeScript
// sources, and a worker thread does not inherit every loader of its parent (the test runner's is
// not a Node loader at all), so this plain module loads the tasks through tsx itself.
import { tsImport } from 'tsx/esm/api';

const tasks = await tsImport('./mail-worker-tasks.ts', import.meta.url);

/** Reports the start of a task to the pool, which starts its time budget then, and runs it. */
const reportingStart = (work) => (task) => {
  task.started.postMessage('started');
  task.started.close();
  return work(task.input);
};

export const readMail = reportingStart(tasks.readMail);
export const cleanHtml = reportingStart(tasks.cleanHtml);

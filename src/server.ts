import { run } from './run.js';

// `npm start` runs every role in one process; `npm run web` only the web server.
void run(process.argv[2] ?? 'all');

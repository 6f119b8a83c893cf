import { run } from '../src/run.js';

void run('poller');

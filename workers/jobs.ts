import { run } from '../src/run.js';

void run('jobs');

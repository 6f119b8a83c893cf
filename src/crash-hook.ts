/**
 * Fault injection for the crash tests: with THREADLINE_TEST_CRASH_AT=<step>[:<n>] the process kills
 * itself with SIGKILL the n-th time (default first) it reaches that pipeline step. Inert otherwise.
 */
export function crashHookFromEnv(env: NodeJS.ProcessEnv = process.env): ((step: string) => void) | undefined {
  const spec = env.THREADLINE_TEST_CRASH_AT;
  if (!spec) return undefined;
  const [target, nth] = spec.split(':');
  let remaining = Number(nth ?? 1);
  return (step) => {
    if (step === target && --remaining === 0) process.kill(process.pid, 'SIGKILL');
  };
}

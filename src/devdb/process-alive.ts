/**
 * Whether a process with this pid exists on this machine (signal 0 checks without sending anything;
 * EPERM means it exists but belongs to someone else). Used to take over a lock left by a killed process.
 */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

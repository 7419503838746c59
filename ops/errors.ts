/** The exit codes scripts can rely on, and the errors that map to them. */
export const EXIT = { ok: 0, checkFailed: 1, usage: 2 } as const;

/** Bad input: unknown command or flag, bad matcher or duration, unknown stack, invalid config. Exit 2. */
export class UsageError extends Error {}

/** Something the command needed failed: an endpoint is unreachable, a Job failed. Exit 1. */
export class CheckFailed extends Error {}

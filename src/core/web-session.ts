/**
 * How long a web session lives (web/session.ts enforces it, sweeps/expire-web-sessions.ts deletes
 * what outlived it): idle at most SESSION_IDLE_MS, at most SESSION_ABSOLUTE_MS after sign-in.
 */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;

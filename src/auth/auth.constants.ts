/** Tokens longer than this are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 8192;
/** Allowed clock skew for `exp` and `nbf`, in seconds. */
export const CLOCK_TOLERANCE_SECONDS = 30;
/** Longest accepted (and mintable) `sub`. */
export const MAX_SUBJECT_LENGTH = 256;
/** `sub` of the development token of the ephemeral secret. */
export const DEVELOPMENT_SUBJECT = 'developer';
export const DEVELOPMENT_TOKEN_TTL_SECONDS = 12 * 3600;

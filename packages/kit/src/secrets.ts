/**
 * The one rule for secrets given to a service: not a value copied from an example (the repository's
 * manifests, Compose file and docs ship placeholders), and random enough that nobody guesses it.
 * Applied by `loadConfig` to every `secret` variable and to the password of every `url` variable
 * marked `secret`, in every service that reads them.
 */

/** How to make a good secret, for the messages. */
export const MAKE_A_SECRET = "make one with `openssl rand -base64 48`";

/** At least this many characters … */
export const SECRET_MIN_LENGTH = 32;
/** … and this many bits by the estimate below (`openssl rand -hex 32` has ~240, `-base64 48` ~350). */
export const SECRET_MIN_BITS = 128;

/**
 * Words that examples put in place of a secret, compared without case and punctuation: the
 * example Secrets say `replace-me`, the Compose file's old default said `change-me`.
 */
const PLACEHOLDER_WORDS = [
  "replaceme",
  "changeme",
  "changeit",
  "changethis",
  "placeholder",
  "yoursecret",
  "secretkey",
  "example",
  "xxxxxxxx",
];

export function isPlaceholder(value: string): boolean {
  const plain = value.toLowerCase().replace(/[^a-z0-9]/g, "");
  return PLACEHOLDER_WORDS.some((word) => plain.includes(word));
}

/**
 * Estimated entropy in bits: the length times the Shannon entropy of the value's own characters.
 * It undercounts a short random string a little and catches repetition (`aaaa…`, `abcabc…`).
 */
export function estimatedBits(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  const length = [...value].length;
  let perCharacter = 0;
  for (const n of counts.values()) perCharacter -= (n / length) * Math.log2(n / length);
  return perCharacter * length;
}

/** Why `value` cannot be the secret `name`, or undefined when it can. Never repeats the value. */
export function secretProblem(name: string, value: string): string | undefined {
  if (isPlaceholder(value)) return `${name} is an example value, which anyone can read: ${MAKE_A_SECRET}`;
  if ([...value].length < SECRET_MIN_LENGTH)
    return `${name} must be at least ${SECRET_MIN_LENGTH} random characters: ${MAKE_A_SECRET}`;
  if (estimatedBits(value) < SECRET_MIN_BITS)
    return `${name} is not random enough (about ${Math.floor(estimatedBits(value))} bits, ${SECRET_MIN_BITS} needed): ${MAKE_A_SECRET}`;
  return undefined;
}

/** Why the password of the URL `name` cannot be used, or undefined when it can (or has none). */
export function urlPasswordProblem(name: string, url: string): string | undefined {
  let password: string;
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    return undefined; // the URL rule reports it
  }
  if (password && isPlaceholder(password))
    return `${name} has an example password, which anyone can read: set the real one (to make one: \`openssl rand -base64 48\`)`;
  return undefined;
}

/** A strong random password (meets the server's rule: 3 of upper, lower, digits, symbols). */
const SETS = ["ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "!@#$%^&*-_=+?"] as const;

function pick(chars: string, random: Uint32Array, index: number): string {
  return chars[(random[index] ?? 0) % chars.length] ?? "x";
}

export function generatePassword(length = 20): string {
  const random = new Uint32Array(length * 2);
  crypto.getRandomValues(random);
  const all = SETS.join("");
  const chars = SETS.map((set, i) => pick(set, random, i));
  for (let i = chars.length; i < length; i++) chars.push(pick(all, random, i));
  // Shuffle so the guaranteed characters are not always first.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = (random[length + i] ?? 0) % (i + 1);
    [chars[i], chars[j]] = [chars[j] ?? "", chars[i] ?? ""];
  }
  return chars.join("");
}

/** The server's password rules, checked as the user types. The server stays authoritative
 * (it also refuses the most common passwords, which this list does not try to mirror). */
const SPECIALS = "!@#$%^&*()_+-=[]{}|;:,.<>?";

export interface PasswordRule {
  label: string;
  met: boolean;
}

function utf8Length(value: string): number {
  return new TextEncoder().encode(value).length;
}

export function passwordRules(password: string): PasswordRule[] {
  const size = utf8Length(password);
  const classes = [
    /\p{Lu}/u.test(password),
    /\p{Ll}/u.test(password),
    /\p{N}/u.test(password),
    [...password].some((ch) => SPECIALS.includes(ch)),
  ];
  return [
    { label: "At least 8 characters", met: size >= 8 },
    { label: "At most 128 characters", met: size <= 128 },
    { label: "3 of: upper case, lower case, digits, symbols", met: classes.filter(Boolean).length >= 3 },
  ];
}

export function passwordAcceptable(password: string): boolean {
  return passwordRules(password).every((rule) => rule.met);
}

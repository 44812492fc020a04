/**
 * String formats that kube-apiserver validates for CRDs (the go-openapi strfmt registry restricted to the
 * formats apiextensions-apiserver keeps; every other format is stripped and therefore ignored).
 */
import { isIPv4, isIPv6 } from 'node:net';

type FormatCheck = (s: string) => boolean;

const rxHostname =
  /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u;
const rxUUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const rxUUID3 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const rxUUID4 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const rxUUID5 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const rxBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const rxHexColor = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const octet = '(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])';
const rxRGBColor = new RegExp(`^rgb\\(\\s*${octet}\\s*,\\s*${octet}\\s*,\\s*${octet}\\s*\\)$`);
const rxSSN = /^\d{3}[- ]?\d{2}[- ]?\d{4}$/;
const rxCreditCard =
  /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}|6[27][0-9]{14})$/;
const rxBSONObjectID = /^[0-9a-fA-F]{24}$/;
const rxDate = /^(\d{4})-(\d{2})-(\d{2})$/;
const rxDateTime = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))?$/;
const rxGoDuration = /^[-+]?(((\d+(\.\d*)?)|(\.\d+))(ns|us|µs|μs|ms|s|m|h))+$/;
const rxUnitDuration =
  /^(\d+)\s*(ns|us|µs|μs|ms|s|m|h|d|w|nanoseconds?|microseconds?|milliseconds?|seconds?|sec|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?)$/i;
const rxEmailAddr = /^[^\s@<>()[\]\\,;:"]+(\.[^\s@<>()[\]\\,;:"]+)*@[^\s@<>()[\]\\,;:"]+$/;

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1]!;
}

function isDate(s: string): boolean {
  const m = rxDate.exec(s);
  return !!m && validDate(+m[1]!, +m[2]!, +m[3]!);
}

function isDateTime(s: string): boolean {
  const m = rxDateTime.exec(s);
  if (!m) return false;
  if (!validDate(+m[1]!, +m[2]!, +m[3]!)) return false;
  if (+m[4]! > 23 || +m[5]! > 59 || +m[6]! > 60) return false;
  if (m[9] !== undefined && (+m[9] > 23 || +m[10]! > 59)) return false;
  return true;
}

function isHostname(s: string): boolean {
  if (!rxHostname.test(s)) return false;
  if (Buffer.byteLength(s) > 255) return false;
  return s.split('.').every((p) => Buffer.byteLength(p) <= 63);
}

/** Go's net.ParseIP: no zones, no leading zeros in IPv4 octets. */
function parseIP(s: string): boolean {
  if (s.includes('%')) return false;
  return isIPv4(s) || isIPv6(s);
}

function isCIDR(s: string): boolean {
  const i = s.lastIndexOf('/');
  if (i < 0) return false;
  const ip = s.slice(0, i);
  const bits = s.slice(i + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(bits)) return false;
  if (isIPv4(ip)) return +bits <= 32;
  if (isIPv6(ip) && !ip.includes('%')) return +bits <= 128;
  return false;
}

function isMAC(s: string): boolean {
  const lens = new Set([6, 8, 20]);
  if (/^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2})*$/.test(s)) return lens.has((s.length + 1) / 3);
  if (/^[0-9a-fA-F]{4}(\.[0-9a-fA-F]{4})*$/.test(s)) return lens.has(((s.length + 1) / 5) * 2);
  return false;
}

/** Go's url.ParseRequestURI: an absolute URI or an absolute path. */
function isRequestURI(s: string): boolean {
  if (s === '' || /[\x00-\x20\x7f]/.test(s)) return false;
  if (s.startsWith('/')) return true;
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s.exec(s);
  if (!m) return false;
  const rest = m[2]!;
  if (rest.startsWith('//')) {
    const authority = rest.slice(2).split(/[/?#]/)[0]!;
    const host = authority.slice(authority.lastIndexOf('@') + 1);
    if (/^\[.*\](:\d*)?$/.test(host)) return true;
    return /^[^:[\]]*(:\d*)?$/.test(host);
  }
  return true;
}

function isEmail(s: string): boolean {
  const angle = /^(?:"[^"]*"|[^<"]*)\s*<([^<>]+)>$/.exec(s.trim());
  return rxEmailAddr.test(angle ? angle[1]! : s);
}

function isbnDigits(s: string): string {
  return s.replace(/[\s-]/g, '');
}

function isISBN10(s: string): boolean {
  const d = isbnDigits(s);
  if (!/^(?:[0-9]{9}X|[0-9]{10})$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (i + 1) * +d[i]!;
  sum += d[9] === 'X' ? 100 : 10 * +d[9]!;
  return sum % 11 === 0;
}

function isISBN13(s: string): boolean {
  const d = isbnDigits(s);
  if (!/^[0-9]{13}$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += +d[i]! * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10 === +d[12]!;
}

const checks: Record<string, FormatCheck> = {
  bsonobjectid: (s) => rxBSONObjectID.test(s),
  uri: isRequestURI,
  email: isEmail,
  hostname: isHostname,
  ipv4: (s) => parseIP(s) && s.includes('.'),
  ipv6: (s) => parseIP(s) && s.includes(':'),
  cidr: isCIDR,
  mac: isMAC,
  uuid: (s) => rxUUID.test(s),
  uuid3: (s) => rxUUID3.test(s),
  uuid4: (s) => rxUUID4.test(s),
  uuid5: (s) => rxUUID5.test(s),
  isbn: (s) => isISBN10(s) || isISBN13(s),
  isbn10: isISBN10,
  isbn13: isISBN13,
  creditcard: (s) => rxCreditCard.test(s.replace(/[^0-9]/g, '')),
  ssn: (s) => rxSSN.test(s),
  hexcolor: (s) => rxHexColor.test(s),
  rgbcolor: (s) => rxRGBColor.test(s),
  byte: (s) => rxBase64.test(s),
  password: () => true,
  date: isDate,
  datetime: isDateTime,
  duration: (s) => s === '0' || rxGoDuration.test(s) || rxUnitDuration.test(s),
};

/** strfmt normalises names by dropping dashes and underscores, so `date-time` is `datetime`. */
function normalize(format: string): string {
  return format.replace(/[-_]/g, '').toLowerCase();
}

/** Whether kube-apiserver validates this format (unknown formats are stripped from the schema). */
export function isKnownFormat(format: string | undefined): format is string {
  return !!format && Object.prototype.hasOwnProperty.call(checks, normalize(format));
}

/** Returns true when the string satisfies the (known) format. Unknown formats always pass. */
export function checkFormat(format: string, value: string): boolean {
  const c = checks[normalize(format)];
  return c ? c(value) : true;
}

/**
 * The sprig v3 function set that Cluster API passes to text/template (`sprig.HermeticTxtFuncMap()`),
 * plus `toYaml` (a Helm-compatible Slipway extension; upstream Cluster API has none).
 *
 * Left out, because their result is not a function of their arguments:
 * - removed by HermeticTxtFuncMap itself: date, date_in_zone, date_modify, now, htmlDate,
 *   htmlDateInZone, dateInZone, dateModify, randAlphaNum, randAlpha, randAscii, randNumeric,
 *   randBytes, uuidv4, env, expandenv, getHostByName;
 * - still in the hermetic map upstream but random, clock- or locale-dependent: randInt, shuffle,
 *   ago, toDate, mustToDate, unixEpoch, must_date_modify, mustDateModify, bcrypt, htpasswd,
 *   encryptAES (random IV), genPrivateKey, genCA, genCAWithKey, genSelfSignedCert,
 *   genSelfSignedCertWithKey, genSignedCert, genSignedCertWithKey, buildCustomCert;
 * - `hello` (a demo function) is kept.
 */
import type { GoCallable } from '../values.js';
import { encodingFuncs } from './encoding.js';
import { listFuncs } from './lists.js';
import { mathFuncs } from './math.js';
import { regexFuncs } from './regex.js';
import { semverFuncs } from './semver.js';
import { stringFuncs } from './strings.js';
import { yamlFuncs } from './yaml.js';
import { fn } from './convert.js';

/** Functions of sprig.HermeticTxtFuncMap that Slipway leaves out, each with the reason. */
export const OMITTED_SPRIG_FUNCTIONS: Readonly<Record<string, string>> = Object.freeze({
  date: 'reads the clock',
  date_in_zone: 'reads the clock',
  date_modify: 'reads the clock',
  dateInZone: 'reads the clock',
  dateModify: 'reads the clock',
  now: 'reads the clock',
  htmlDate: 'reads the clock',
  htmlDateInZone: 'reads the clock',
  ago: 'reads the clock',
  toDate: 'depends on the local time zone',
  mustToDate: 'depends on the local time zone',
  unixEpoch: 'takes a time.Time, which only toDate/now produce',
  must_date_modify: 'takes a time.Time, which only toDate/now produce',
  mustDateModify: 'takes a time.Time, which only toDate/now produce',
  randAlphaNum: 'random',
  randAlpha: 'random',
  randAscii: 'random',
  randNumeric: 'random',
  randBytes: 'random',
  randInt: 'random',
  shuffle: 'random',
  uuidv4: 'random',
  bcrypt: 'random salt',
  htpasswd: 'random salt',
  encryptAES: 'random IV',
  genPrivateKey: 'random key',
  genCA: 'random key',
  genCAWithKey: 'random serial and validity from the clock',
  genSelfSignedCert: 'random key',
  genSelfSignedCertWithKey: 'random serial and validity from the clock',
  genSignedCert: 'random key',
  genSignedCertWithKey: 'random serial and validity from the clock',
  buildCustomCert: 'returns a certificate struct; not supported',
  env: 'reads the environment',
  expandenv: 'reads the environment',
  getHostByName: 'reads the network',
});

/** sprig.HermeticTxtFuncMap minus the functions above, plus toYaml. */
export const sprigFuncs: Readonly<Record<string, GoCallable>> = Object.freeze({
  hello: fn([], () => 'Hello!'),
  ...stringFuncs,
  ...listFuncs,
  ...mathFuncs,
  ...encodingFuncs,
  ...semverFuncs,
  ...regexFuncs,
  ...yamlFuncs,
});

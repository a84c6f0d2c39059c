/**
 * "No English sentence in the Japanese report outside names and ids", made precise, for the report's unit
 * test (linkedom) and its browser test (the DOM Chromium renders):
 *
 * 1. The page's texts are collected: every text node (SVG labels included; <wbr> removed first so that an id
 *    split at its separators is whole again), the document title, and the title / aria-label / alt attributes.
 * 2. What may stay as it is comes out: the pack's own names and ids (namesAndIds: pool, tables, app clients,
 *    providers, IP addresses, users, e-mail addresses, file names, trails, the reasons' parameters — never
 *    AWS's English error message), then anything shaped like an id: URLs, ARNs, e-mail addresses, option names,
 *    `npm run <command>` and the openssl command line, file names and paths, hashes, ISO dates and times, IPv4 addresses, action names
 *    (dynamodb:DeleteItem), CONSTANT_NAMES and ALLCAPS (COGNITO, AWS, TTL), CamelCase names (CloudTrail,
 *    DynamoDB, PostAuthentication, AccessDeniedException), and the few product names and tools written in
 *    lower case (GLOSSARY).
 * 3. Any Latin word of two letters or more still left is English the page should not hold: the check fails on a
 *    single such word, so a run of two or more (a sentence) cannot pass either.
 */
import { parseHTML } from 'linkedom';
import type { ReportInput } from '../../scripts/audit-pack/report/report.ts';
import type { DormantAccount } from '../../scripts/records/dormant-accounts.ts';

/** Names that id shapes miss: the service, the command-line tool, the stack parameter the report quotes. */
const GLOSSARY = ['Cognito', 'sha256sum', 'Integrity'];

const ID_SHAPES: RegExp[] = [
  /https?:\/\/[\x21-\x7e]+/g,
  /\barn:[\x21-\x7e]+/g,
  /[\w.+-]+@[\w-]+(\.[\w-]+)+/g,
  /\bnpm run [a-z-]+/g,
  /--[a-z][a-z-]*/g,
  /[\w-]+(\/[\w-]+)*\.(csv|jsonl?|html|pem|md)\b/g,
  /\bopenssl( -?[\w.-]+)+/g,
  /\b[0-9a-f]{12,}\b/g,
  /\b\d{4}-\d\d-\d\d(T[\d:.]+Z)?/g,
  /\b\d{1,3}(\.\d{1,3}){3}\b/g,
  /\b[a-z0-9-]+:[A-Z][A-Za-z]+\b/g,
  /\b[A-Z][A-Z0-9]*(_[A-Z0-9]+)+\b/g,
  /\b[A-Z][A-Z0-9-]+\b/g,
  /\b[A-Z][a-z0-9]+([A-Z][A-Za-z0-9]*)+\b/g,
];

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The names and ids of the pack a report may show as they are (never a status word or an error message). */
export function namesAndIds(
  input: Pick<ReportInput, 'summary' | 'files' | 'tool' | 'identity'> & {
    dormant: readonly Pick<DormantAccount, 'userName' | 'sub' | 'email'>[];
  },
): string[] {
  const s = input.summary;
  const names: string[] = [s.userPoolId, s.table, s.stackName ?? ''];
  names.push(...Object.keys(s.signIns.byClient), ...Object.keys(s.signIns.byProvider));
  if (s.authEvents.recorded) {
    names.push(s.authEvents.table, ...s.authEvents.topFailingSourceIps.map((x) => x.sourceIp));
    for (const u of s.authEvents.topFailingUsers) names.push(u.sub, u.userName ?? '');
  }
  for (const a of input.dormant) names.push(a.userName, a.sub, a.email ?? '');
  names.push(...input.files.map((f) => f.name));
  names.push(input.tool.name, input.tool.version, input.tool.gitCommit ?? '');
  const reasonParameters = (reason: unknown): void => {
    if (!reason || typeof reason !== 'object') return;
    for (const [key, value] of Object.entries(reason)) {
      if (key === 'code' || key === 'message') continue; // the code is worded; AWS's message is English
      if (typeof value === 'string') names.push(value);
      else reasonParameters(value);
    }
  };
  for (const check of Object.values(s.protection)) {
    reasonParameters(check.reason);
    for (const value of Object.values(check.facts ?? {})) {
      if (typeof value === 'string') names.push(value);
      if (Array.isArray(value)) names.push(...value);
    }
  }
  if ('arn' in input.identity) names.push(input.identity.arn, input.identity.account);
  else reasonParameters(input.identity.unknown);
  return names.filter((name) => name.length >= 2);
}

/** The English words left in `texts` once names, ids and id-shaped strings are taken out, each in context. */
export function englishIn(texts: readonly string[], names: readonly string[]): string[] {
  const byLength = [...new Set(names)].sort((a, b) => b.length - a.length);
  const found: string[] = [];
  for (const original of texts) {
    let text = original;
    for (const name of byLength) text = text.replace(new RegExp(escapeRegExp(name), 'g'), ' ');
    for (const shape of ID_SHAPES) text = text.replace(shape, ' ');
    for (const term of GLOSSARY) text = text.replace(new RegExp(`\\b${term}\\b`, 'g'), ' ');
    if (/[A-Za-z]{2,}/.test(text))
      found.push(`"${original.trim()}" leaves "${text.replace(/\s+/g, ' ').trim()}"`);
  }
  return found;
}

/** Every text of an HTML page as a reader (or a screen reader) meets it: text nodes, titles, labels. */
export function pageTexts(html: string): string[] {
  const { document } = parseHTML(html.replaceAll('<wbr>', ''));
  const texts: string[] = [];
  const walk = (node: Node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === 3) texts.push(child.textContent ?? '');
      else if (
        child.nodeType === 1 &&
        !['STYLE', 'SCRIPT'].includes((child as Element).tagName.toUpperCase())
      )
        walk(child);
    }
  };
  walk(document.documentElement);
  for (const element of document.querySelectorAll('[title], [aria-label], [alt]')) {
    for (const attribute of ['title', 'aria-label', 'alt']) {
      const value = element.getAttribute(attribute);
      if (value) texts.push(value);
    }
  }
  return texts.filter((t) => t.trim() !== '');
}

/**
 * docs/security-lake.md's Splunk recipe, SIEM-shaped and offline: the export's JSON Lines through the page's
 * own jq program into HTTP Event Collector envelopes, posted to a loopback receiver that checks them as HEC
 * does (the token header, one JSON envelope per event, `time` in epoch seconds, an `event` object). Every
 * exported event arrives, as the OCSF event it was.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { OcsfAuthentication } from '../../../authenticated/src/ocsf.ts';
import { AWS_CLI_PROBLEM_ENV, AWS_CLI_RECIPE_TOOLS, missingTools } from '../../../dev/build/debian-tools.ts';
import { PROJECT_ROOT } from '../../../dev/build/template.ts';
import { runCommand } from '../../helpers/commands.ts';
import { FROM, type LakeTables, ocsfLines, startLakeTables, TO } from '../../helpers/lake.ts';
import { skipBecause } from '../../helpers/skip.ts';

const TOKEN = '00000000-0000-4000-8000-00000000cafe';
const page = readFileSync(join(PROJECT_ROOT, 'docs', 'security-lake.md'), 'utf8');
/** The jq program of the page's Splunk line. */
const JQ_PROGRAM = /export-ocsf -- … \| jq -c '([^']+)' \| curl/.exec(page)?.[1];

describe('docs/security-lake.md: JSON Lines into a Splunk HTTP Event Collector', () => {
  let tables: LakeTables;
  let server: Server;
  let endpoint = '';
  const received: { time: number; sourcetype: string; source: string; event: OcsfAuthentication }[] = [];

  before(async () => {
    tables = await startLakeTables();
    // HEC's /services/collector/event: `Authorization: Splunk <token>`, concatenated JSON envelopes.
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk));
      request.on('end', () => {
        const refuse = (code: number, text: string) => {
          response.writeHead(code, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ text, code: 6 }));
        };
        if (request.method !== 'POST' || request.url !== '/services/collector/event')
          return refuse(404, 'not found');
        if (request.headers.authorization !== `Splunk ${TOKEN}`) return refuse(403, 'Invalid token');
        const envelopes = body
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line));
        for (const e of envelopes) {
          if (typeof e.time !== 'number' || typeof e.event !== 'object' || e.event === null) {
            return refuse(400, 'Invalid data format');
          }
        }
        received.push(...envelopes);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ text: 'Success', code: 0 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await tables?.stop();
  });

  it('the page has the recipe', () => {
    assert.ok(JQ_PROGRAM, "a `… | jq -c '…' | curl` line in docs/security-lake.md");
  });

  it('every exported event reaches the collector as itself, in an envelope HEC accepts', async (t) => {
    const missing = missingTools(AWS_CLI_RECIPE_TOOLS.filter((tool) => tool.command === 'jq'));
    if (missing.length > 0) {
      return void skipBecause(
        t,
        process.env[AWS_CLI_PROBLEM_ENV] ?? '/usr/bin/jq is not installed (Debian: apt-get install jq)',
      );
    }
    const exported = await runCommand(
      'export-ocsf',
      ['--from', FROM, '--to', TO, ...tables.tableOptions],
      tables.env,
    );
    assert.equal(exported.code, 0, exported.stderr);
    const events = ocsfLines(exported.stdout);
    const envelopes = execFileSync('/usr/bin/jq', ['-c', JQ_PROGRAM as string], {
      input: exported.stdout,
      encoding: 'utf8',
    });

    // What `curl -H "Authorization: Splunk $HEC_TOKEN" --data-binary @- "$HEC_URL/services/collector/event"` sends.
    const wrongToken = await fetch(`${endpoint}/services/collector/event`, {
      method: 'POST',
      headers: { authorization: 'Splunk nope' },
      body: envelopes,
    });
    assert.equal(wrongToken.status, 403, 'the receiver checks the token like HEC');
    const posted = await fetch(`${endpoint}/services/collector/event`, {
      method: 'POST',
      headers: { authorization: `Splunk ${TOKEN}` },
      body: envelopes,
    });
    assert.equal(posted.status, 200, await posted.text());

    assert.equal(received.length, events.length);
    for (const [i, envelope] of received.entries()) {
      const event = events[i] as OcsfAuthentication;
      assert.deepEqual(envelope.event, event, 'the OCSF event, unchanged');
      assert.equal(envelope.time, event.time / 1000, 'HEC time is epoch seconds');
      assert.equal(envelope.sourcetype, 'ocsf:authentication');
      assert.equal(envelope.source, event.metadata.log_name);
    }
  });
});

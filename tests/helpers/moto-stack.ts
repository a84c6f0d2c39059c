/**
 * This application's stack deployed on moto's CloudFormation: the processed template (SAM's transform applied,
 * tests/helpers/processed-template.ts) as far as moto implements its resource types, with the code object `sam
 * package` would have uploaded. Commands that read a stack from CloudFormation (protect, doctor) then find the
 * stack, its parameters, its processed template and its resources' physical ids as they would on AWS.
 */

import { createServer, type Server } from 'node:http';
import { buffer } from 'node:stream/consumers';
import type { TestContext } from 'node:test';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { missingToolNotice, TOOLS } from '../../dev/build/toolchain.ts';
import { LOCAL_CREDENTIALS, LOCAL_CREDENTIALS_ENV } from '../../dev/local-stack/local-clients.ts';
import type { RunningMoto } from '../../dev/local-stack/moto.ts';
import { closeServer, loopbackUrl } from '../../dev/local-stack/servers.ts';
import {
  CODE_LOCATION,
  motoCloudFormationTypes,
  motoSubset,
  processedTemplate,
} from './processed-template.ts';
import { skipBecause } from './skip.ts';

/** moto's S3 through its REST API (the project does not depend on the S3 client); moto accepts any signature. */
async function s3(endpoint: string, region: string, path: string, body: string) {
  const response = await fetch(`${endpoint}/${path}`, {
    method: 'PUT',
    headers: {
      authorization: `AWS4-HMAC-SHA256 Credential=local/20260101/${region}/s3/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body,
  });
  const text = await response.text();
  if (!response.ok && !text.includes('BucketAlreadyOwnedByYou')) {
    throw new Error(`moto S3 PUT /${path}: HTTP ${response.status} ${text}`);
  }
}

export interface MotoStack {
  stackId: string;
  outputs: Record<string, string>;
  /** Processed resources moto could not create, left out of the stack (see processed-template.ts). */
  omitted: string[];
}

/** Deploys the stack, or returns undefined when the SAM CLI's or moto's venv is not provisioned. */
export async function deployOnMoto(
  endpoint: string,
  region: string,
  stackName: string,
  parameters: Record<string, string>,
): Promise<MotoStack | undefined> {
  const template = processedTemplate();
  const types = motoCloudFormationTypes();
  if (!template || !types) return undefined;
  const subset = motoSubset(template, types);
  await s3(
    endpoint,
    region,
    CODE_LOCATION.bucket,
    `<CreateBucketConfiguration><LocationConstraint>${region}</LocationConstraint></CreateBucketConfiguration>`,
  );
  // moto stores the object as the function's code and never runs it.
  await s3(endpoint, region, `${CODE_LOCATION.bucket}/${CODE_LOCATION.key}`, 'code');
  const cfn = new CloudFormationClient({ region, endpoint, credentials: LOCAL_CREDENTIALS });
  try {
    const { StackId } = await cfn.send(
      new CreateStackCommand({
        StackName: stackName,
        TemplateBody: JSON.stringify(subset.template),
        Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
          ParameterKey,
          ParameterValue,
        })),
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      }),
    );
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    if (stack?.StackStatus !== 'CREATE_COMPLETE') {
      throw new Error(`moto did not create ${stackName}: ${stack?.StackStatus} ${stack?.StackStatusReason}`);
    }
    return {
      stackId: StackId ?? '',
      outputs: Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
      omitted: subset.omitted,
    };
  } finally {
    cfn.destroy();
  }
}

/**
 * moto reports a list parameter (CommaDelimitedList) in DescribeStacks as Python's repr of the list
 * (`['a', 'b']`) where CloudFormation reports the value as given (`a,b`). This proxy in front of moto's
 * CloudFormation API rewrites exactly that and passes everything else through, so that a command reading the
 * stack's parameters sees what it would see on AWS. Point AWS_ENDPOINT_URL_CLOUDFORMATION at `endpoint`.
 */
export async function cloudFormationAsAws(
  motoEndpoint: string,
): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const listRepr = /<ParameterValue>\[((?:(?:&#x27;|')[^<]*?(?:&#x27;|')(?:, )?)*)\]<\/ParameterValue>/g;
  const server: Server = createServer((req, res) => {
    (async () => {
      const body = await buffer(req);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([name]) => !['host', 'content-length', 'connection'].includes(name),
        ),
      ) as Record<string, string>;
      const answer = await fetch(`${motoEndpoint}${req.url ?? '/'}`, {
        method: req.method,
        headers,
        ...(body.length > 0 ? { body } : {}),
      });
      let text = await answer.text();
      if (body.toString('utf8').includes('Action=DescribeStacks')) {
        text = text.replace(listRepr, (_, items: string) => {
          const values = items
            .split(/(?:&#x27;|'), (?:&#x27;|')/)
            .map((v) => v.replace(/^(?:&#x27;|')|(?:&#x27;|')$/g, ''));
          return `<ParameterValue>${values.join(',')}</ParameterValue>`;
        });
      }
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/xml' });
      res.end(text);
    })().catch((error: Error) => {
      res.writeHead(502);
      res.end(error.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: loopbackUrl(server), stop: () => closeServer(server) };
}

/**
 * The environment of a command run as a user runs it against moto in `region`: moto only (no endpoint of a local
 * stack that the calling shell may have exported), its CloudFormation behind cloudFormationAsAws. `stop` ends
 * that proxy.
 */
export async function motoCommandEnv(
  motoEndpoint: string,
  region: string,
): Promise<{ env: NodeJS.ProcessEnv; stop(): Promise<void> }> {
  const cloudFormation = await cloudFormationAsAws(motoEndpoint);
  return {
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_'))),
      ...LOCAL_CREDENTIALS_ENV,
      AWS_REGION: region,
      AWS_ENDPOINT_URL: motoEndpoint,
      AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.endpoint,
    },
    stop: cloudFormation.stop,
  };
}

/** True when moto runs and the stack is deployed on it; otherwise the test is skipped, naming the missing tool. */
export function deployedOnMoto(t: TestContext, moto: RunningMoto | undefined, stack: MotoStack | undefined) {
  if (moto && stack) return true;
  skipBecause(t, missingToolNotice(moto ? TOOLS.sam : TOOLS.moto));
  return false;
}

// One local "execution environment": imports the built handler once (the cold start), then serves
// invocations sent by the parent over IPC, one at a time, like a Lambda sandbox.
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const [modulePath, exportName, functionName, memory] = process.argv.slice(2);
// The parent (the local Lambda service) owns this environment: when it goes away, so does this process.
process.on('disconnect', () => process.exit(0));

function errorPayload(error) {
  const err = error instanceof Error ? error : new Error(String(error));
  return { errorType: err.name, errorMessage: err.message, trace: String(err.stack ?? '').split('\n') };
}

// Console output as Lambda's Node.js runtime writes it (and SAM's emulator shows it): with LogFormat JSON one
// record {timestamp, level, requestId, message} per call, levels below AWS_LAMBDA_LOG_LEVEL dropped; with
// Text "<time>\t<request id>\t<LEVEL>\t<message>".
let currentRequestId;
const LEVEL_OF = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', log: 'INFO', warn: 'WARN', error: 'ERROR' };
const RANK = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, FATAL: 5 };
const json = process.env.AWS_LAMBDA_LOG_FORMAT === 'JSON';
const minimum = json ? (RANK[String(process.env.AWS_LAMBDA_LOG_LEVEL).toUpperCase()] ?? RANK.INFO) : 0;
function write(level, message) {
  if (RANK[level] < minimum) return;
  const timestamp = new Date().toISOString();
  const line = json
    ? JSON.stringify({ timestamp, level, requestId: currentRequestId, message })
    : `${timestamp}\t${currentRequestId}\t${level}\t${typeof message === 'string' ? message : JSON.stringify(message)}`;
  process.stdout.write(`${line}\n`);
}
for (const [method, level] of Object.entries(LEVEL_OF)) {
  console[method] = (...args) =>
    write(level, args.length === 1 && typeof args[0] === 'string' ? args[0] : format(...args));
}

let handler;
try {
  const module = await import(pathToFileURL(modulePath).href);
  handler = module[exportName];
  if (typeof handler !== 'function')
    throw new Error(`${modulePath} does not export a function "${exportName}"`);
} catch (error) {
  process.send({
    type: 'init-error',
    error: { ...errorPayload(error), errorType: 'Runtime.ImportModuleError' },
  });
  process.exit(1);
}
process.send({ type: 'ready' });

process.on('message', async ({ id, event, requestId, deadline }) => {
  const context = {
    awsRequestId: requestId,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: memory,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  currentRequestId = requestId;
  try {
    const result = await handler(event, context);
    process.send({ type: 'result', id, ok: true, result: result === undefined ? null : result });
  } catch (error) {
    const payload = errorPayload(error);
    // The runtime logs an invocation's error too, before answering with it.
    const { trace, ...rest } = payload;
    write('ERROR', json ? { ...rest, stackTrace: trace } : `Invoke Error \t${JSON.stringify(payload)}`);
    process.send({ type: 'result', id, ok: false, error: payload });
  }
});

// One local "execution environment": imports the built handler once (the cold start), then serves
// invocations sent by the parent over IPC, one at a time, like a Lambda sandbox.
import { pathToFileURL } from 'node:url';

const [modulePath, exportName, functionName, memory] = process.argv.slice(2);
// The parent (the local Lambda service) owns this environment: when it goes away, so does this process.
process.on('disconnect', () => process.exit(0));

function errorPayload(error) {
  const err = error instanceof Error ? error : new Error(String(error));
  return { errorType: err.name, errorMessage: err.message, trace: String(err.stack ?? '').split('\n') };
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
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${process.pid}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await handler(event, context);
    process.send({ type: 'result', id, ok: true, result: result === undefined ? null : result });
  } catch (error) {
    process.send({ type: 'result', id, ok: false, error: errorPayload(error) });
  }
});

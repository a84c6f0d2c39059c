// The floor: one PutItemCommand with the low-level client, an item of the same size and the same condition.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { Context, PostAuthenticationTriggerEvent } from 'aws-lambda';

const client = new DynamoDBClient({});

export const handler = async (event: PostAuthenticationTriggerEvent, context: Context) => {
  const signedInAt = new Date().toISOString();
  const attributes = event.request.userAttributes;
  await client.send(
    new PutItemCommand({
      TableName: process.env.TABLE_NAME,
      Item: {
        sub: { S: attributes.sub as string },
        signInId: { S: `${signedInAt}#${context.awsRequestId}` },
        signedInAt: { S: signedInAt },
        userPoolId: { S: event.userPoolId },
        userName: { S: event.userName },
        clientId: { S: event.callerContext.clientId },
        email: { S: attributes.email as string },
        newDeviceUsed: { BOOL: event.request.newDeviceUsed },
        triggerSource: { S: event.triggerSource },
        requestId: { S: context.awsRequestId },
        dayShard: { S: `${signedInAt.slice(0, 10)}#0` },
        expiresAt: { N: String(Math.floor(Date.now() / 1000) + 365 * 86_400) },
      },
      ConditionExpression: 'attribute_not_exists(#sub)',
      ExpressionAttributeNames: { '#sub': 'sub' },
    }),
  );
  return event;
};

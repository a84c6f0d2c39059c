// The same job written the way a tutorial would: whole SDK, no time budget, no tuning.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, PostAuthenticationTriggerEvent } from 'aws-lambda';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event: PostAuthenticationTriggerEvent, context: Context) => {
  const signedInAt = new Date().toISOString();
  await client.send(
    new PutCommand({
      TableName: process.env.TABLE_NAME,
      Item: {
        sub: event.request.userAttributes.sub,
        signInId: `${signedInAt}#${context.awsRequestId}`,
        signedInAt,
        userPoolId: event.userPoolId,
        userName: event.userName,
        clientId: event.callerContext.clientId,
        email: event.request.userAttributes.email,
        newDeviceUsed: event.request.newDeviceUsed,
        triggerSource: event.triggerSource,
        requestId: context.awsRequestId,
        dayShard: `${signedInAt.slice(0, 10)}#0`,
        expiresAt: Math.floor(Date.now() / 1000) + 365 * 86_400,
      },
      ConditionExpression: 'attribute_not_exists(#sub)',
      ExpressionAttributeNames: { '#sub': 'sub' },
    }),
  );
  return event;
};

// aws4 (crypto.createHmac/createHash, querystring, url): AWS Signature Version 4 of requests
// with fixed credentials and date, so the signatures are comparable with Node's.
const aws4 = require('aws4');

exports.handler = async (event) => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: event.secret };
  const get = aws4.sign(
    {
      host: 'examplebucket.s3.amazonaws.com',
      path: '/photos/a b.jpg?versionId=3&acl',
      service: 's3',
      region: 'us-east-1',
      headers: { 'X-Amz-Date': event.amzDate },
    },
    credentials,
  );
  const post = aws4.sign(
    {
      host: 'dynamodb.eu-west-1.amazonaws.com',
      method: 'POST',
      path: '/',
      body: JSON.stringify({ TableName: 'users' }),
      headers: {
        'X-Amz-Date': event.amzDate,
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': 'DynamoDB_20120810.DescribeTable',
      },
    },
    credentials,
  );
  const presigned = aws4.sign(
    {
      host: 'sqs.us-east-1.amazonaws.com',
      path: `/?Action=ListQueues&X-Amz-Date=${event.amzDate}`,
      signQuery: true,
    },
    credentials,
  );
  return {
    get: { path: get.path, headers: get.headers },
    post: post.headers,
    presigned: presigned.path,
  };
};

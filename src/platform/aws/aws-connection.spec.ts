import { describe, expect, it } from '@jest/globals';
import { awsClientOptions } from './aws-connection.js';

describe('awsClientOptions', () => {
  const connection = { region: 'eu-west-1', accessKeyId: 'AKIAEXAMPLE123456789', secretAccessKey: 's3cret' };

  it('passes region and credentials, and the endpoint only when the connection names one', () => {
    expect(awsClientOptions(connection)).toEqual({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIAEXAMPLE123456789', secretAccessKey: 's3cret' },
    });
    expect(awsClientOptions({ ...connection, endpoint: 'http://127.0.0.1:4566' })).toMatchObject({
      endpoint: 'http://127.0.0.1:4566',
    });
  });

  it('passes a session token only when there is one', () => {
    expect(awsClientOptions({ ...connection, sessionToken: 'tok' }).credentials).toEqual({
      accessKeyId: 'AKIAEXAMPLE123456789',
      secretAccessKey: 's3cret',
      sessionToken: 'tok',
    });
  });
});

// One setup for every test file: custom matchers for aws-sdk-client-mock, fixed environment.
import { expect } from 'vitest';
import { allCustomMatcher } from 'aws-sdk-client-mock-vitest';

expect.extend(allCustomMatcher);
process.env.TZ = 'UTC';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY ??= 'S3RVER';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

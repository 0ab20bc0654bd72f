// bench: an HTTP API v2 event for GET /api/tickets as API Gateway hands it to the api function after its JWT authorizer
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';

/** `GET /api/tickets?<query>` by the default team member. */
export function ticketsEvent(query: Record<string, string>): APIGatewayProxyEventV2WithJWTAuthorizer {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/api/tickets',
    rawQueryString: new URLSearchParams(query).toString(),
    headers: {},
    queryStringParameters: query,
    requestContext: {
      accountId: 'bench',
      apiId: 'bench',
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: { email: 'agent@desk.localhost' }, scopes: [] } },
      domainName: 'bench',
      domainPrefix: 'bench',
      http: { method: 'GET', path: '/api/tickets', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: 'bench',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  };
}

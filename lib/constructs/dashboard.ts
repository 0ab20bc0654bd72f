// infra: the team dashboard: Cognito sign-in, HTTP API with a JWT authorizer, the web app on CloudFront
import { Aws, Duration, Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { TEAM_GROUP } from '../../functions/core/api/auth';
import { ENV } from '../../functions/contracts';
import type { StageNames } from '../names';
import { AppFunction, functionEntry } from './app-function';
import type { InboundMail } from './inbound-mail';
import type { TicketStore } from './ticket-store';

/** The `config.json` the web app fetches at start-up instead of being rebuilt per deployment. */
export interface WebAppConfig {
  readonly apiUrl: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  /** The web app's sign-in method (web/src/config.ts `parseConfig`). */
  readonly auth: 'cognito';
}

export interface DashboardProps {
  readonly names: StageNames;
  /** A directory holding the built web app (`index.html` and its assets). */
  readonly webAssetsPath: string;
  readonly store: TicketStore;
  /** The inbound side: its bucket holds the attachments and bodies agents read, and their uploads. */
  readonly inbound: InboundMail;
  /** The reply-token HMAC key; the API verifies unsubscribe-link signatures with it. */
  readonly tokenSecret: secretsmanager.ISecret;
  /** The validated desk configuration as JSON (`DESK_CONFIG`). */
  readonly deskConfigJson: string;
  /** Receives the site bucket's and CloudFront's access logs (needs ACLs enabled for CloudFront). */
  readonly accessLogsBucket: s3.IBucket;
  /** `required` makes every team member enrol a TOTP app at first sign-in. @default 'optional' */
  readonly mfa?: 'optional' | 'required';
  /** Cognito threat protection (compromised credentials, risky sign-ins): needs the Plus plan. @default false */
  readonly threatProtection?: boolean;
}

/**
 * The Content-Security-Policy of the web app: scripts only from the app itself; fetches only to itself (the API is
 * served under /api/ on the same origin), Cognito and S3 (presigned attachment uploads). Images may come from
 * anywhere because the srcdoc message frame inherits this policy: the frame sets its own stricter one and blocks
 * remote images until an agent asks for them.
 */
export function contentSecurityPolicy(region: string, urlSuffix = 'amazonaws.com'): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Sanitised mail HTML keeps its inline styles.
    "style-src 'self' 'unsafe-inline'",
    // http: too: newsletters and signatures still link images over plain HTTP.
    "img-src 'self' data: blob: https: http:",
    // The SDK presigns virtual-hosted URLs (regional, or global in us-east-1). Naming the mail bucket here would
    // be a dependency cycle: its CORS rule names this distribution, whose headers policy this is.
    `connect-src 'self' https://cognito-idp.${region}.${urlSuffix} https://*.s3.${region}.${urlSuffix} https://*.s3.${urlSuffix}`,
    "frame-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Sign-in for team members, the API they call, and the web app they use. */
export class Dashboard extends Construct {
  public readonly userPool: cognito.UserPool;
  public readonly userPoolClient: cognito.UserPoolClient;
  /** Members of this group may use the dashboard (functions/core/api/auth.ts). */
  public readonly teamGroup: cognito.CfnUserPoolGroup;
  public readonly api: apigwv2.HttpApi;
  public readonly stage: apigwv2.HttpStage;
  public readonly apiHandler: AppFunction;
  public readonly siteBucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  /** `https://<distribution>.cloudfront.net`: the dashboard's address. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);

    this.userPool = new cognito.UserPool(this, 'TeamMembers', {
      userPoolName: props.names.regional('team'),
      // Team members are invited by an administrator (`aws cognito-idp admin-create-user`).
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true }, fullname: { required: false, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // TOTP only: the web app answers SOFTWARE_TOKEN_MFA and, when MFA is required, MFA_SETUP at first sign-in.
      mfa: props.mfa === 'required' ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Essentials (10,000 monthly active users free) unless threat protection is wanted, which only Plus has.
      featurePlan: props.threatProtection ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
      standardThreatProtectionMode: props.threatProtection ? cognito.StandardThreatProtectionMode.FULL_FUNCTION : undefined,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (props.mfa !== 'required') {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is optional by choice (context mfa=optional, the default): a team member with a TOTP app enrolled is asked ' +
          'for its code at every sign-in. Deploy with mfa=required to make every member enrol one at first sign-in.',
      });
    }
    if (!props.threatProtection) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          'Threat protection needs the Plus plan ($0.02 per active user, no free tier); deploy with threatProtection=true ' +
          'for it. Without it: administrator-created users only, a 12-character password policy, optional or required TOTP, ' +
          'and the API behind a JWT authorizer with stage throttling.',
      });
    }
    this.userPoolClient = this.userPool.addClient('WebApp', {
      // The web app signs in with InitiateAuth USER_PASSWORD_AUTH by fetch (no Amplify); SRP stays for CLI tools.
      authFlows: { userPassword: true, userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(7),
    });
    this.teamGroup = new cognito.CfnUserPoolGroup(this, 'TeamGroup', {
      userPoolId: this.userPool.userPoolId,
      groupName: TEAM_GROUP,
      description: 'Team members: may use the sesdesk dashboard and its API',
    });

    this.apiHandler = new AppFunction(this, 'ApiHandler', {
      entry: functionEntry('api'),
      serviceName: 'sesdesk-api',
      description: 'The dashboard API (/api/*) behind the Cognito JWT authorizer',
      memorySize: 512,
      // API Gateway gives up after 30 s anyway.
      timeout: Duration.seconds(29),
      contract: 'api',
    });
    props.store.connect(this.apiHandler);
    this.apiHandler.useTokenSecret(props.tokenSecret);
    this.apiHandler.setEnv(ENV.deskConfig, props.deskConfigJson);
    this.apiHandler.setEnv(ENV.authMode, 'cognito');
    // Uploads are presigned PUTs under uploads/; posting a reply copies them under attachments/. Quarantined parts are
    // readable so that an agent who confirms can download one; notify never reads them.
    props.inbound.connectMailBucket(this.apiHandler, {
      read: ['attachments', 'bodies', 'uploads', 'quarantine'],
      write: ['uploads', 'attachments'],
    });

    // No CORS: browsers reach the API through the dashboard's own CloudFront address (same origin).
    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: props.names.regional('api'),
      description: 'sesdesk dashboard API',
      createDefaultStage: false,
      // The user pool's issuer built from AWS::URLSuffix (HttpUserPoolAuthorizer writes `amazonaws.com` literally).
      defaultAuthorizer: new HttpJwtAuthorizer(
        'TeamMember',
        `https://cognito-idp.${Aws.REGION}.${Aws.URL_SUFFIX}/${this.userPool.userPoolId}`,
        {
          jwtAudience: [this.userPoolClient.userPoolClientId],
        },
      ),
    });
    const integration = new HttpLambdaIntegration('ApiHandler', this.apiHandler.fn);
    this.api.addRoutes({ path: '/api/{proxy+}', methods: [apigwv2.HttpMethod.ANY], integration });
    // The unsubscribe link in customer mail: no sign-in possible, so no authorizer; more specific than the proxy route.
    // GET shows a confirmation page and changes nothing; POST (the page's button, or RFC 8058 one-click from a mail
    // client) unsubscribes.
    const unsubscribeRoutes = this.api.addRoutes({
      path: '/api/unsubscribe',
      methods: [apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST],
      integration,
      authorizer: new apigwv2.HttpNoneAuthorizer(),
    });
    for (const route of unsubscribeRoutes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          '/api/unsubscribe is the link in customer mail, followed without an account: GET only checks the HMAC-signed ' +
          '(ticket, address) pair and shows a confirmation page; POST with the same signed link unsubscribes. No ticket data.',
      });
    }
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
      throttle: { rateLimit: 50, burstLimit: 100 },
    });

    this.siteBucket = new s3.Bucket(this, 'SiteBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'site-bucket/',
      // Only build output lives here; the deployment below empties it on delete.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const strictTransportSecurity = { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true };
    // CloudFront policies are named account-wide: the stage and the region keep two deployments apart.
    const securityHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      responseHeadersPolicyName: props.names.global('web-headers'),
      comment: 'sesdesk dashboard security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(Aws.REGION, Aws.URL_SUFFIX), override: true },
        strictTransportSecurity,
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        // Ticket URLs must not leak to the sites that links in customer mail point to.
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    const apiHeaders = new cloudfront.ResponseHeadersPolicy(this, 'ApiSecurityHeaders', {
      responseHeadersPolicyName: props.names.global('api-headers'),
      comment: 'sesdesk API security headers',
      securityHeadersBehavior: {
        // The API sets its own CSP on HTML pages (unsubscribe); this is the fallback for everything else.
        contentSecurityPolicy: { contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'", override: false },
        strictTransportSecurity,
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        // The unsubscribe URL carries its signature.
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'sesdesk dashboard',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.siteBucket, {
          originAccessControl: new cloudfront.S3OriginAccessControl(this, 'SiteAccess', {
            originAccessControlName: props.names.global('site'),
          }),
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: securityHeaders,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      },
      // The API on the dashboard's origin: the links in mail (`<dashboardUrl>/api/unsubscribe`) reach it, and the web
      // app needs no CORS. No distribution-wide error pages: they would turn the API's 403 and 404 into index.html
      // (the web app routes by URL hash, so it never asks for a path that is not a file).
      additionalBehaviors: {
        '/api/*': {
          origin: new origins.HttpOrigin(Fn.select(2, Fn.split('/', this.api.apiEndpoint)), {
            protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
          }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          // With caching off, this policy forwards Authorization; API Gateway rejects a forwarded Host header.
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: apiHeaders,
        },
      },
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: props.accessLogsBucket,
      logFilePrefix: 'cloudfront/',
    });
    Validations.of(this.distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: 'Customers and agents may be anywhere; the API behind it requires a Cognito JWT.' },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The distribution serves static files and forwards /api/* uncached to an HTTP API with a JWT authorizer and ' +
          'stage throttling. A WAF web ACL (created in us-east-1, about $5+ a month) can be added.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'It uses the default *.cloudfront.net certificate, whose TLS policy CloudFront fixes; a custom domain with TLSv1.2_2021 needs an ACM certificate.',
      },
    );
    this.url = `https://${this.distribution.distributionDomainName}`;

    // Agents' browsers upload attachments with presigned PUTs straight to the bucket.
    props.inbound.mailBucket.addCorsRule({
      allowedMethods: [s3.HttpMethods.PUT],
      allowedOrigins: [this.url],
      allowedHeaders: ['content-type', 'content-disposition'],
      maxAge: 3600,
    });

    const webConfig: WebAppConfig = {
      apiUrl: this.url,
      region: Aws.REGION,
      userPoolId: this.userPool.userPoolId,
      userPoolClientId: this.userPoolClient.userPoolClientId,
      auth: 'cognito',
    };
    new s3deploy.BucketDeployment(this, 'WebApp', {
      destinationBucket: this.siteBucket,
      sources: [s3deploy.Source.asset(props.webAssetsPath), s3deploy.Source.jsonData('config.json', webConfig)],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: true,
      retainOnDelete: false,
      memoryLimit: 512,
    });
  }
}

// infra: the names we give resources ourselves: each carries the stage, and account-wide ones the region too
import { Aws } from 'aws-cdk-lib';

/**
 * Names for one stage's resources, so two stages (or one stage in two regions) never share a name. Regional
 * resources are `sesdesk-<stage>-<what>`; account-wide ones (CloudFront policies, CloudWatch dashboards) add the
 * region. Everything else keeps the name CloudFormation derives from the stack name `SesDesk-<stage>`.
 */
export class StageNames {
  constructor(readonly stage: string) {}

  /** `sesdesk-<stage>` or `sesdesk-<stage>-<what>`, for a resource that lives in one region. */
  regional(what?: string): string {
    return what ? `sesdesk-${this.stage}-${what}` : `sesdesk-${this.stage}`;
  }

  /** `sesdesk-<stage>-<region>-<what>`, for a resource whose name is unique across the whole account. */
  global(what: string): string {
    return `sesdesk-${this.stage}-${Aws.REGION}-${what}`;
  }

  /** The CloudWatch namespace of the metrics the functions' logs are counted into. */
  get metricNamespace(): string {
    return `sesdesk/${this.stage}`;
  }
}

// web: picks the sign-in implementation the deployment's config.json names
import type { AppConfig } from '../config';
import type { Auth } from './auth';
import { createCognitoAuth } from './cognito-auth';
import { createLocalAuth } from './local-auth';

/** The Auth for this deployment. */
export function createAuth(config: AppConfig): Auth {
  return config.auth === 'cognito' ? createCognitoAuth(config) : createLocalAuth(config.apiUrl);
}

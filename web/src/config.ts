// web: the deployment's /config.json (API URL and sign-in method), read once at start
/** Local stack: sign in with the code `npm start` prints. */
export interface LocalConfig {
  readonly auth: 'local';
  readonly apiUrl: string;
}

/** AWS: Cognito user pool sign-in (the app client must allow USER_PASSWORD_AUTH). */
export interface CognitoConfig {
  readonly auth: 'cognito';
  readonly apiUrl: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
}

export type AppConfig = LocalConfig | CognitoConfig;

/** Checks a parsed config.json; the message names the field that is wrong. */
export function parseConfig(input: unknown): AppConfig {
  if (typeof input !== 'object' || input === null) throw new Error('config.json must hold a JSON object');
  const value = input as Record<string, unknown>;
  const apiUrl = typeof value.apiUrl === 'string' ? value.apiUrl : '';
  if (value.auth === 'local') return { auth: 'local', apiUrl };
  if (value.auth === 'cognito') {
    const text = (field: string): string => {
      const v = value[field];
      if (typeof v !== 'string' || v === '') throw new Error(`config.json: "${field}" is required for Cognito sign-in`);
      return v;
    };
    const userPoolId = text('userPoolId');
    // The region is the user pool id's prefix (`eu-west-1_AbC…`) unless given.
    const region = typeof value.region === 'string' && value.region ? value.region : (userPoolId.split('_')[0] ?? '');
    return { auth: 'cognito', apiUrl, region, userPoolId, userPoolClientId: text('userPoolClientId') };
  }
  throw new Error('config.json: "auth" must be "local" or "cognito"');
}

/** Fetches /config.json; without one (Vite dev server without the stack) the app assumes the local stack. */
export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (response.status === 404) return { auth: 'local', apiUrl: '' };
  if (!response.ok) throw new Error(`config.json could not be loaded (${response.status})`);
  return parseConfig(await response.json());
}

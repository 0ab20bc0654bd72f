// test support: the one secret tests sign with (reply tokens, unsubscribe links, local dashboard tokens)
import type { TokenKeys } from '../../functions/core/threading/reply-token';

/** Long enough for every signer (local dashboard tokens need 32 characters). */
export const TEST_SECRET = 'sesdesk-test-secret-0123456789-abcdef';

/** {@link TEST_SECRET} as the key list the reply-token and unsubscribe signers take. */
export const TEST_TOKEN_KEYS: TokenKeys = { secrets: [TEST_SECRET] };

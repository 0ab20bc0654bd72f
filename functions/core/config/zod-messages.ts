// core: English issue messages for zod/mini, which ships none; every module that declares a schema imports this
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini (not classic `zod`) keeps the bundles small: the classic API drags every locale and JSON-schema code along.
config(en());

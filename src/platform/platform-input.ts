import { z } from 'zod';
import { hiddenCharacter } from '../common/text.js';

/** A name a person reads in lists and the CLI passes: trimmed, one line, no control or invisible characters. */
export const PlatformName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine(
    (name) => hiddenCharacter(name) === null && !/[\r\n]/.test(name),
    'must be one line without control or invisible characters (such as U+0000 or U+202E)',
  );

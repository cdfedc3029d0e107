/** A failover run as its folder is read back: the scenario as the reader checks it, one FailoverSample per repetition. */
import type { StoredFailoverScenario } from '../../results/schema.js';
import type { FailoverSample, StoredRunOf } from '../../results/types.js';

export type FailoverRun = StoredRunOf<StoredFailoverScenario, FailoverSample>;

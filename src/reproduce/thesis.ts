/**
 * The thesis's conclusions (section 5.1, "Kesimpulan", with the figures of sections 4.1–4.3 that
 * they rest on), as `reproduce` checks them. One place for the published numbers.
 */

/** The scenario files `reproduce` runs, by the role they play in the thesis. */
export const THESIS_SCENARIOS = ['single', 'haproxy-rr', 'haproxy-lc', 'nginx-rr'] as const;
export type LoadRole = (typeof THESIS_SCENARIOS)[number];
export const FAILOVER_SCENARIO = 'failover';

export const THESIS = {
  /** §4.1 and §5.1: HAProxy (least connection) peaks at 2352.937 req/s, the single server at 1428.161 */
  rps: { 'haproxy-lc': 2352.937, 'haproxy-rr': 2258.154, 'nginx-rr': 2207.575, single: 1428.161 },
  /** §4.1, §4.2: peak throughput in MB/s */
  throughput_mbps: { 'haproxy-lc': 3.53, 'haproxy-rr': 3.318 },
  /** §4.1: "a fall of 18–21 % under load balancing, because the load is not on one server" */
  cpuReduction: [18, 21] as const,
  /** §4.2: Nginx loses 101.67 requests at 1000 and 470.133 at 10000; HAProxy none up to 10000 */
  nginxLoss: { 1000: 101.67, 10000: 470.133 },
  noLossUpTo: 10000,
  /** §4.3: mean downtime over 25 observations, ICMP every 5 ms */
  downtimeMs: 1992.8,
  downtimeN: 25,
} as const;

/**
 * Mann-Whitney's smallest two-sided p with n a side is 2 / C(2n, n): 0.1 at 3, 0.029 at 4, 0.008
 * at 5. The scenarios' quick profile has 3 repetitions, which can never be significant at 0.05;
 * reproduce raises a load scenario to this many (5 also tolerates one swapped pair: p 0.016).
 */
export const MIN_REPETITIONS = 5;

/** The lab, as the rest of lb-bench uses it. */
export { labInventoryPath, labDir, VIP, HOSTS } from './topology.js';
export { assertLabUp, labProblems, guardBenchAddress } from './guard.js';
export { labUp, labDown, labLeftovers, type UpReport, type DownReport } from './lab.js';
export { labStatus, statusTable, type Check } from './status.js';

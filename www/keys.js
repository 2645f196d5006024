// The network view's keys in the address, which the page reads and writes before that view's
// module is loaded (`seed` is the page's one seed, shared with the surfaces).
export const NET_KEYS = ['data', 'hidden', 'act', 'init', 'batch', 'iters', 'seed', 'nopt', 'dirs', 'nlog'];

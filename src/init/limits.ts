/** `init --kubernetes N`: at most this many generator pods (`load.generators` takes at most 64 hosts). Apart, so that reading the command line loads no YAML. */
export const MAX_KUBERNETES_GENERATORS = 64;
